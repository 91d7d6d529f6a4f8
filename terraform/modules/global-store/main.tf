# Global state shared by the edge and every region (API keys, rate-limit counters, beacons, result
# cache, task status): one Upstash global database, written in the primary region and read from
# replicas near the edge's and backends' traffic, all over its REST API.

locals {
  # Regions an Upstash global database can place its primary or read replicas in (provider docs);
  # extend the list when Upstash adds one.
  upstash_regions = [
    "us-east-1", "us-west-1", "us-west-2", "eu-central-1", "eu-west-1", "sa-east-1",
    "ap-northeast-1", "ap-southeast-1", "ap-southeast-2",
  ]
}

resource "upstash_redis_database" "global" {
  database_name  = var.name
  region         = "global"
  primary_region = var.primary_region
  read_regions   = setsubtract(var.read_regions, [var.primary_region])
  tls            = true
  eviction       = var.eviction
  auto_scale     = var.auto_scale
}
