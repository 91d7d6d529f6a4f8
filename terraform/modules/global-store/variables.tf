variable "name" {
  description = "Upstash database name, e.g. \"falign-production\"."
  type        = string
}

variable "primary_region" {
  description = "Upstash region that takes the writes, e.g. \"us-east-1\"; put it nearest to the busiest backends."
  type        = string

  validation {
    condition     = contains(local.upstash_regions, var.primary_region)
    error_message = "primary_region must be one of the Upstash global-database regions listed in this module."
  }
}

variable "read_regions" {
  description = "Upstash regions that serve reads (API keys, beacons, cached results) close to the edge and the backends; the primary is removed if listed."
  type        = set(string)
  default     = []

  validation {
    condition     = alltrue([for r in var.read_regions : contains(local.upstash_regions, r)])
    error_message = "every read region must be one of the Upstash global-database regions listed in this module."
  }
}

variable "eviction" {
  description = "Let Upstash evict keys at the size limit. Off: task results and API keys must never be evicted; the result cache expires by TTL instead."
  type        = bool
  default     = false
}

variable "auto_scale" {
  description = "Move to a higher Upstash plan automatically when a quota is hit instead of rejecting commands."
  type        = bool
  default     = true
}
