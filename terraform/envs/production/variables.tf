# Credentials come from the environment (TF_VAR_*), never from files in the repository.

variable "cloudflare_api_token" {
  description = "Cloudflare API token with Workers Scripts:Edit, Workers Routes:Edit and DNS:Edit on the zone."
  type        = string
  sensitive   = true
}

variable "cloudflare_account_id" {
  description = "Cloudflare account id that owns the worker."
  type        = string
}

variable "cloudflare_zone_id" {
  description = "Cloudflare zone id of var.domain."
  type        = string
}

variable "domain" {
  description = "Zone the service lives in, e.g. \"example.com\": the edge answers on api.<domain>, region <r> on api-<r>.<domain> (one label deep, so Cloudflare's universal certificate covers them)."
  type        = string
}

variable "upstash_email" {
  description = "E-mail of the Upstash account that owns the global database."
  type        = string
}

variable "upstash_api_key" {
  description = "Upstash management API key (console: Account > Management API)."
  type        = string
  sensitive   = true
}

variable "upstash_primary_region" {
  description = "Upstash region that takes writes to the global database; the regions' upstash_region values become read replicas."
  type        = string
  default     = "us-east-1"
}

variable "internal_secret" {
  description = "HMAC secret shared by the edge and every backend (both read it as FA_INTERNAL_SECRET); at least 32 random bytes, e.g. `openssl rand -base64 48`."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.internal_secret) >= 32
    error_message = "internal_secret must be at least 32 characters."
  }
}

variable "webhook_secret" {
  description = "HMAC key every region signs webhook deliveries with (FA_WEBHOOK_SECRET); give it to customers who verify signatures. At least 32 random bytes, e.g. `openssl rand -base64 48`."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.webhook_secret) >= 32
    error_message = "webhook_secret must be at least 32 characters."
  }
}

variable "kubeconfig_path" {
  description = "kubeconfig holding one context per region (regions[*].kube_context)."
  type        = string
  default     = "~/.kube/config"
}

variable "backend_image" {
  description = "Backend image every region runs, pinned by digest, e.g. \"ghcr.io/acme/falign-backend@sha256:...\"."
  type        = string
}

variable "model_revision" {
  description = "Commit (or tag) of Qwen/Qwen3-ForcedAligner-0.6B every region pulls; pin a commit so all regions serve the same weights."
  type        = string
  default     = "main"
}

variable "edge_bundle" {
  description = "Bundled edge worker built by `npx wrangler deploy --dry-run --env production --outdir dist/edge` at the repository root."
  type        = string
  default     = "../../../dist/edge/index.js"
}

variable "regions" {
  description = "Every region that runs backends: region id -> where it is, which cluster serves it and how far it scales. Each entry needs a provider pair and a module block in regions.tf."
  type        = map(object({
    latitude          = number
    longitude         = number
    kube_context      = string
    upstash_region    = string
    min_replicas      = optional(number, 2)
    max_replicas      = optional(number, 8)
    gpu_node_selector = optional(map(string), { "nvidia.com/gpu.present" = "true" })
    prometheus_url    = optional(string, "http://prometheus-operated.monitoring.svc")
    # Overrides backend_image for this region only: canary a release in one region first.
    image = optional(string)
  }))

  validation {
    condition     = length(var.regions) >= 1 && alltrue([for id, _ in var.regions : can(regex("^[a-z0-9][a-z0-9-]{0,62}$", id))])
    error_message = "regions needs at least one entry; region ids are lower-case letters, digits and dashes."
  }

  validation {
    condition     = alltrue([for r in values(var.regions) : r.min_replicas >= 1 && r.max_replicas >= r.min_replicas])
    error_message = "each region needs 1 <= min_replicas <= max_replicas."
  }
}

variable "backend" {
  description = "Backend tuning shared by every region; unset attributes take the defaults of modules/region (variable \"backend\"), which names the FA_* variable each one sets."
  type        = object({
    engine                   = optional(string)
    fallback_engine          = optional(string)
    device                   = optional(string)
    threads                  = optional(number)
    max_batch_size           = optional(number)
    max_queue_delay_ms       = optional(number)
    max_queue_length         = optional(number)
    max_body_bytes           = optional(number)
    max_audio_seconds        = optional(number)
    min_audio_seconds        = optional(number)
    max_text_chars           = optional(number)
    max_wait_seconds         = optional(number)
    breaker_timeout_ms       = optional(number)
    breaker_error_percent    = optional(number)
    breaker_reset_ms         = optional(number)
    breaker_volume_threshold = optional(number)
    cache_entries            = optional(number)
    cache_ttl_seconds        = optional(number)
    log_level                = optional(string)
    task_ttl_seconds         = optional(number)
    task_attempts            = optional(number)
    task_lock_ms             = optional(number)
    task_concurrency         = optional(number)
    max_batch_items          = optional(number)
    blob_store               = optional(string)
    fetch_max_bytes          = optional(number)
    fetch_timeout_ms         = optional(number)
    webhook_attempts         = optional(number)
  })
  default = {}
}
