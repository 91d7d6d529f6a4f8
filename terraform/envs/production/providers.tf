provider "cloudflare" {
  api_token = var.cloudflare_api_token
}

provider "upstash" {
  email   = var.upstash_email
  api_key = var.upstash_api_key
}

# One kubernetes + helm provider pair per region (Terraform cannot iterate provider configurations).
# Adding a region: add its entry to var.regions, a pair here, and a module block in regions.tf.

provider "kubernetes" {
  alias          = "us_east"
  config_path    = var.kubeconfig_path
  config_context = var.regions["us-east"].kube_context
}

provider "helm" {
  alias      = "us_east"
  kubernetes = {
    config_path    = var.kubeconfig_path
    config_context = var.regions["us-east"].kube_context
  }
}

provider "kubernetes" {
  alias          = "eu_central"
  config_path    = var.kubeconfig_path
  config_context = var.regions["eu-central"].kube_context
}

provider "helm" {
  alias      = "eu_central"
  kubernetes = {
    config_path    = var.kubeconfig_path
    config_context = var.regions["eu-central"].kube_context
  }
}

provider "kubernetes" {
  alias          = "ap_southeast"
  config_path    = var.kubeconfig_path
  config_context = var.regions["ap-southeast"].kube_context
}

provider "helm" {
  alias      = "ap_southeast"
  kubernetes = {
    config_path    = var.kubeconfig_path
    config_context = var.regions["ap-southeast"].kube_context
  }
}
