# Scale on whichever is higher: CPU (decoding, feature extraction) or the work waiting in the
# batcher queue. The queue metric is the backend's `falign_queue_depth` gauge, scraped by
# Prometheus and served to the autoscaler as a per-pod custom metric by prometheus-adapter.

resource "kubernetes_horizontal_pod_autoscaler_v2" "backend" {
  metadata {
    name      = "falign-backend"
    namespace = kubernetes_namespace_v1.this.metadata[0].name
    labels    = local.labels
  }

  spec {
    min_replicas = var.min_replicas
    max_replicas = var.max_replicas

    scale_target_ref {
      api_version = "apps/v1"
      kind        = "Deployment"
      name        = kubernetes_deployment_v1.backend.metadata[0].name
    }

    metric {
      type = "Resource"
      resource {
        name = "cpu"
        target {
          type                = "Utilization"
          average_utilization = var.target_cpu_utilization
        }
      }
    }

    metric {
      type = "Pods"
      pods {
        metric {
          name = "falign_queue_depth"
        }
        target {
          type          = "AverageValue"
          average_value = tostring(var.target_queue_depth_per_pod)
        }
      }
    }

    behavior {
      # A GPU pod takes minutes to become ready: add capacity early, remove it slowly.
      scale_up {
        stabilization_window_seconds = 0
        select_policy                = "Max"
        policy {
          type           = "Pods"
          value          = 2
          period_seconds = 60
        }
      }
      scale_down {
        stabilization_window_seconds = 600
        select_policy                = "Min"
        policy {
          type           = "Pods"
          value          = 1
          period_seconds = 180
        }
      }
    }
  }
}

resource "kubernetes_pod_disruption_budget_v1" "backend" {
  metadata {
    name      = "falign-backend"
    namespace = kubernetes_namespace_v1.this.metadata[0].name
    labels    = local.labels
  }

  spec {
    max_unavailable = "1"
    selector {
      match_labels = local.selector
    }
  }
}

resource "helm_release" "prometheus_adapter" {
  count = var.install_prometheus_adapter ? 1 : 0

  name             = "prometheus-adapter"
  namespace        = "monitoring"
  create_namespace = true
  repository       = "https://prometheus-community.github.io/helm-charts"
  chart            = "prometheus-adapter"
  version          = var.prometheus_adapter_chart_version
  atomic           = true

  values = [yamlencode({
    prometheus = {
      url  = var.prometheus_url
      port = 9090
    }
    rules = {
      default = false
      custom  = [{
        seriesQuery = "falign_queue_depth{namespace!=\"\",pod!=\"\"}"
        resources   = {
          overrides = {
            namespace = { resource = "namespace" }
            pod       = { resource = "pod" }
          }
        }
        name         = { matches = "^falign_queue_depth$", as = "falign_queue_depth" }
        metricsQuery = "max by (<<.GroupBy>>) (<<.Series>>{<<.LabelMatchers>>})"
      }]
    }
  })]
}
