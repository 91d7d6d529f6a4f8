output "endpoint" {
  description = "Public URL of this region's direct endpoint (the URL its beacon advertises)."
  value       = local.public_url
}

output "beacon" {
  description = "What this region's backends announce in their beacon: region id, URL and coordinates."
  value       = {
    region    = var.name
    url       = local.public_url
    latitude  = var.latitude
    longitude = var.longitude
  }
}

output "ingress_address" {
  description = "Load-balancer address of the Ingress (IP or host name); the regional DNS record points here."
  value       = local.ingress_ip != "" ? local.ingress_ip : local.ingress_hostname
}

output "ingress_address_type" {
  description = "DNS record type that fits ingress_address: A or AAAA for an IP, CNAME for a host name."
  value       = local.ingress_ip == "" ? "CNAME" : (strcontains(local.ingress_ip, ":") ? "AAAA" : "A")
}

output "internal_url" {
  description = "In-cluster URL of the backend Service."
  value       = "http://${kubernetes_service_v1.backend.metadata[0].name}.${var.namespace}.svc.cluster.local"
}

output "namespace" {
  description = "Namespace holding this region's backend and Redis."
  value       = kubernetes_namespace_v1.this.metadata[0].name
}
