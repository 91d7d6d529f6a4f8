# One backend stack per entry of var.regions. Terraform cannot for_each over provider
# configurations, so each region is spelled out: its providers (providers.tf), its module block
# here, and its line in local.regions. The precondition in outputs.tf and test/terraform fail
# when the three disagree with var.regions.

locals {
  regions = {
    "us-east"      = module.region_us_east
    "eu-central"   = module.region_eu_central
    "ap-southeast" = module.region_ap_southeast
  }
}

module "region_us_east" {
  source    = "../../modules/region"
  providers = { kubernetes = kubernetes.us_east, helm = helm.us_east, random = random }

  name              = "us-east"
  latitude          = var.regions["us-east"].latitude
  longitude         = var.regions["us-east"].longitude
  hostname          = local.region_hostnames["us-east"]
  image             = coalesce(var.regions["us-east"].image, var.backend_image)
  model_revision    = var.model_revision
  min_replicas      = var.regions["us-east"].min_replicas
  max_replicas      = var.regions["us-east"].max_replicas
  gpu_node_selector = var.regions["us-east"].gpu_node_selector
  prometheus_url    = var.regions["us-east"].prometheus_url
  backend           = var.backend

  upstash_rest_url   = module.global_store.rest_url
  upstash_rest_token = module.global_store.rest_token
  internal_secret    = var.internal_secret
  webhook_secret     = var.webhook_secret
}

module "region_eu_central" {
  source    = "../../modules/region"
  providers = { kubernetes = kubernetes.eu_central, helm = helm.eu_central, random = random }

  name              = "eu-central"
  latitude          = var.regions["eu-central"].latitude
  longitude         = var.regions["eu-central"].longitude
  hostname          = local.region_hostnames["eu-central"]
  image             = coalesce(var.regions["eu-central"].image, var.backend_image)
  model_revision    = var.model_revision
  min_replicas      = var.regions["eu-central"].min_replicas
  max_replicas      = var.regions["eu-central"].max_replicas
  gpu_node_selector = var.regions["eu-central"].gpu_node_selector
  prometheus_url    = var.regions["eu-central"].prometheus_url
  backend           = var.backend

  upstash_rest_url   = module.global_store.rest_url
  upstash_rest_token = module.global_store.rest_token
  internal_secret    = var.internal_secret
  webhook_secret     = var.webhook_secret
}

module "region_ap_southeast" {
  source    = "../../modules/region"
  providers = { kubernetes = kubernetes.ap_southeast, helm = helm.ap_southeast, random = random }

  name              = "ap-southeast"
  latitude          = var.regions["ap-southeast"].latitude
  longitude         = var.regions["ap-southeast"].longitude
  hostname          = local.region_hostnames["ap-southeast"]
  image             = coalesce(var.regions["ap-southeast"].image, var.backend_image)
  model_revision    = var.model_revision
  min_replicas      = var.regions["ap-southeast"].min_replicas
  max_replicas      = var.regions["ap-southeast"].max_replicas
  gpu_node_selector = var.regions["ap-southeast"].gpu_node_selector
  prometheus_url    = var.regions["ap-southeast"].prometheus_url
  backend           = var.backend

  upstash_rest_url   = module.global_store.rest_url
  upstash_rest_token = module.global_store.rest_token
  internal_secret    = var.internal_secret
  webhook_secret     = var.webhook_secret
}
