# Production: one edge worker, one global Upstash database, one backend stack per entry of
# var.regions (regions.tf). Host names derive from var.domain.

locals {
  api_hostname     = "api.${var.domain}"
  region_hostnames = { for id, _ in var.regions : id => "api-${id}.${var.domain}" }

  # The edge worker as wrangler.toml's [env.production] describes it: same script name, dates,
  # flags, vars and secrets (test/terraform/wrangler.test.ts fails when the two drift apart).
  # Terraform deploys it; `wrangler deploy --env production` would manage the same script and route.
  worker_name                = "falign-edge"
  worker_compatibility_date  = "2026-04-20"
  worker_compatibility_flags = []
  worker_vars                = {
    ENVIRONMENT             = "production"
    UPSTASH_REDIS_REST_URL  = module.global_store.rest_url
    CORS_ORIGINS            = "https://falign.dev,https://app.falign.dev"
    MAX_SYNC_BODY_BYTES     = "26214400"
    FORWARD_DEADLINE_MS     = "65000"
    ATTEMPT_TIMEOUT_MS      = "60000"
    MAX_ATTEMPTS            = "3"
    KEY_CACHE_TTL_MS        = "10000"
    BEACON_CACHE_TTL_MS     = "1500"
    BEACON_STALE_MS         = "6000"
    ALLOW_LOCATION_OVERRIDE = "false"
  }
  worker_secrets = {
    UPSTASH_REDIS_REST_TOKEN = module.global_store.rest_token
    FA_INTERNAL_SECRET       = var.internal_secret
  }
}

module "global_store" {
  source = "../../modules/global-store"

  name           = "falign-production"
  primary_region = var.upstash_primary_region
  read_regions   = toset([for r in values(var.regions) : r.upstash_region])
}

module "edge" {
  source = "../../modules/edge"

  account_id          = var.cloudflare_account_id
  zone_id             = var.cloudflare_zone_id
  api_hostname        = local.api_hostname
  script_name         = local.worker_name
  script_file         = var.edge_bundle
  compatibility_date  = local.worker_compatibility_date
  compatibility_flags = local.worker_compatibility_flags
  vars                = local.worker_vars
  secrets             = local.worker_secrets

  regional_origins = {
    for id, region in local.regions : id => {
      hostname = local.region_hostnames[id]
      address  = region.ingress_address
      type     = region.ingress_address_type
    }
  }
}
