variable "account_id" {
  description = "Cloudflare account id that owns the worker."
  type        = string
}

variable "zone_id" {
  description = "Cloudflare zone id of the API domain (the zone holding api_hostname and the regional host names)."
  type        = string
}

variable "api_hostname" {
  description = "Global API host name the worker serves, e.g. \"api.example.com\"."
  type        = string
}

variable "script_name" {
  description = "Worker script name; must equal the name wrangler.toml gives the same environment (test/terraform checks it)."
  type        = string
}

variable "script_file" {
  description = "Path of the bundled worker module built by `wrangler deploy --dry-run --outdir dist/edge --env <env>`."
  type        = string
}

variable "main_module" {
  description = "File name of the bundled main module inside the upload, e.g. \"index.js\"."
  type        = string
  default     = "index.js"
}

variable "compatibility_date" {
  description = "Workers compatibility date; must equal wrangler.toml's."
  type        = string

  validation {
    condition     = can(regex("^\\d{4}-\\d{2}-\\d{2}$", var.compatibility_date))
    error_message = "compatibility_date must look like YYYY-MM-DD."
  }
}

variable "compatibility_flags" {
  description = "Workers compatibility flags; must equal wrangler.toml's."
  type        = list(string)
  default     = []
}

variable "vars" {
  description = "Plain-text bindings (wrangler.toml [vars] of the environment): name -> value."
  type        = map(string)
  default     = {}
}

variable "secrets" {
  description = "Secret-text bindings (the secrets wrangler.toml declares): name -> value. Held in Terraform state: use an encrypted backend."
  type        = map(string)
  sensitive   = true
}

variable "regional_origins" {
  description = "Direct endpoint of every region: region id -> {hostname, address (ingress IP or host name), type (A, AAAA or CNAME)}. Each gets a DNS record in the zone."
  type        = map(object({
    hostname = string
    address  = string
    type     = string
  }))
  default = {}

  validation {
    condition     = alltrue([for o in values(var.regional_origins) : contains(["A", "AAAA", "CNAME"], o.type)])
    error_message = "regional_origins[*].type must be A, AAAA or CNAME."
  }
}

variable "proxy_regional_endpoints" {
  description = "Serve the regional direct endpoints through Cloudflare's proxy (TLS, DDoS protection; uploads limited by the plan's body size) instead of DNS-only."
  type        = bool
  default     = true
}
