# The global entry point: the Hono edge worker on Cloudflare, its secrets, the route that sends
# https://<api_hostname>/* to it, and DNS for the API host and for every region's direct endpoint.

resource "cloudflare_workers_script" "edge" {
  account_id          = var.account_id
  script_name         = var.script_name
  content_file        = var.script_file
  content_sha256      = filesha256(var.script_file)
  main_module         = var.main_module
  compatibility_date  = var.compatibility_date
  compatibility_flags = var.compatibility_flags

  bindings = concat(
    [for name in sort(keys(var.vars)) : { name = name, type = "plain_text", text = var.vars[name] }],
    [for name in sort(nonsensitive(keys(var.secrets))) : { name = name, type = "secret_text", text = var.secrets[name] }],
  )
}

# The API host exists only to be proxied into the worker: an IPv6 discard address that never
# serves anything itself (Cloudflare's documented pattern for worker-only hosts).
resource "cloudflare_dns_record" "api" {
  zone_id = var.zone_id
  name    = var.api_hostname
  type    = "AAAA"
  content = "100::"
  proxied = true
  ttl     = 1
  comment = "falign edge worker (${var.script_name})"
}

resource "cloudflare_workers_route" "api" {
  zone_id = var.zone_id
  pattern = "${var.api_hostname}/*"
  script  = cloudflare_workers_script.edge.script_name
}

resource "cloudflare_dns_record" "region" {
  for_each = var.regional_origins

  zone_id = var.zone_id
  name    = each.value.hostname
  type    = each.value.type
  content = each.value.address
  proxied = var.proxy_regional_endpoints
  ttl     = 1
  comment = "falign direct endpoint, region ${each.key}"
}
