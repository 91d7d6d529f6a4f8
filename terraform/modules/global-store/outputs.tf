output "rest_url" {
  description = "REST endpoint of the global database (UPSTASH_REDIS_REST_URL for the edge and the backends)."
  value       = "https://${upstash_redis_database.global.endpoint}"
}

output "rest_token" {
  description = "Read-write REST token (UPSTASH_REDIS_REST_TOKEN)."
  value       = upstash_redis_database.global.rest_token
  sensitive   = true
}

output "read_only_rest_token" {
  description = "Read-only REST token, for dashboards and audits."
  value       = upstash_redis_database.global.read_only_rest_token
  sensitive   = true
}

output "database_id" {
  description = "Upstash database id (for the console and `terraform import`)."
  value       = upstash_redis_database.global.database_id
}
