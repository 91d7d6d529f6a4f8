output "api_url" {
  description = "Global API endpoint (the edge worker)."
  value       = module.edge.api_url

  precondition {
    condition     = length(setsymmetricdifference(keys(var.regions), keys(local.regions))) == 0
    error_message = "var.regions and the region modules in regions.tf disagree: every region needs exactly one module block (and provider pair)."
  }
}

output "region_endpoints" {
  description = "Direct endpoint of every region: region id -> URL."
  value       = { for id, region in local.regions : id => region.endpoint }
}

output "region_beacons" {
  description = "What each region's backends announce in their beacons (region, URL, coordinates)."
  value       = { for id, region in local.regions : id => region.beacon }
}

output "region_ingress_addresses" {
  description = "Load-balancer address behind each regional DNS record."
  value       = { for id, region in local.regions : id => region.ingress_address }
}

output "global_store_rest_url" {
  description = "REST URL of the global Upstash database."
  value       = module.global_store.rest_url
}

output "global_store_rest_token" {
  description = "Read-write REST token of the global database (for `falign keys` against production)."
  value       = module.global_store.rest_token
  sensitive   = true
}

output "worker_name" {
  description = "Deployed edge worker script (for `wrangler tail --env production`)."
  value       = module.edge.script_name
}
