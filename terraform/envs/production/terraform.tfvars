# Production layout: no secrets here (those come from TF_VAR_* in the environment).
# Coordinates are the data centres' (the edge orders regions by great-circle distance to the client).

domain                 = "falign.dev"
upstash_primary_region = "us-east-1"

regions = {
  "us-east" = {
    latitude       = 39.0438 # Ashburn, Virginia
    longitude      = -77.4874
    kube_context   = "falign-us-east"
    upstash_region = "us-east-1"
    min_replicas   = 2
    max_replicas   = 12
  }
  "eu-central" = {
    latitude       = 50.1109 # Frankfurt
    longitude      = 8.6821
    kube_context   = "falign-eu-central"
    upstash_region = "eu-central-1"
    min_replicas   = 2
    max_replicas   = 8
  }
  "ap-southeast" = {
    latitude       = 1.3521 # Singapore
    longitude      = 103.8198
    kube_context   = "falign-ap-southeast"
    upstash_region = "ap-southeast-1"
    min_replicas   = 2
    max_replicas   = 8
  }
}

backend = {
  engine          = "qwen3"
  fallback_engine = "dtw"
  device          = "cuda"
  max_batch_size  = 16
  log_level       = "info"
}
