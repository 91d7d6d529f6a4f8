terraform {
  required_version = ">= 1.9.0"

  required_providers {
    upstash = {
      source  = "upstash/upstash"
      version = "~> 2.1.0"
    }
  }
}
