output "api_url" {
  description = "Global API URL served by the edge worker."
  value       = "https://${var.api_hostname}"
}

output "script_name" {
  description = "Name of the deployed worker script."
  value       = cloudflare_workers_script.edge.script_name
}

output "route_pattern" {
  description = "Route pattern that sends API traffic to the worker."
  value       = cloudflare_workers_route.api.pattern
}

output "regional_hostnames" {
  description = "DNS name of every region's direct endpoint: region id -> host name."
  value       = { for region, record in cloudflare_dns_record.region : region => record.name }
}
