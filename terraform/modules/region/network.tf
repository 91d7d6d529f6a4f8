# The regional direct endpoint: https://<hostname> reaches this region's backends without the edge
# (the edge forwards here too, to the URL the beacon advertises). TLS from cert-manager; request
# size and timeouts follow the backend's own limits so the proxy never cuts a valid request.

resource "kubernetes_service_v1" "backend" {
  metadata {
    name      = "falign-backend"
    namespace = kubernetes_namespace_v1.this.metadata[0].name
    labels    = local.labels
  }

  spec {
    type     = "ClusterIP"
    selector = local.selector

    port {
      name        = "http"
      port        = 80
      target_port = "http"
    }
  }
}

resource "kubernetes_ingress_v1" "backend" {
  metadata {
    name        = "falign-backend"
    namespace   = kubernetes_namespace_v1.this.metadata[0].name
    labels      = local.labels
    annotations = {
      "cert-manager.io/cluster-issuer"                 = var.cluster_issuer
      "nginx.ingress.kubernetes.io/proxy-body-size"    = "${ceil(var.backend.max_body_bytes / 1048576)}m"
      "nginx.ingress.kubernetes.io/proxy-read-timeout" = tostring(var.backend.max_wait_seconds + 30)
      "nginx.ingress.kubernetes.io/proxy-send-timeout" = tostring(var.backend.max_wait_seconds + 30)
      # Stream uploads to the backend instead of spooling them to the ingress's disk.
      "nginx.ingress.kubernetes.io/proxy-request-buffering" = "off"
    }
  }

  wait_for_load_balancer = true

  spec {
    ingress_class_name = var.ingress_class

    tls {
      hosts       = [var.hostname]
      secret_name = "falign-direct-tls"
    }

    rule {
      host = var.hostname
      http {
        path {
          path      = "/"
          path_type = "Prefix"
          backend {
            service {
              name = kubernetes_service_v1.backend.metadata[0].name
              port {
                name = "http"
              }
            }
          }
        }
      }
    }
  }
}

locals {
  # trimspace(null) fails, so try() turns a missing or null address into "".
  ingress_ip       = try(trimspace(kubernetes_ingress_v1.backend.status[0].load_balancer[0].ingress[0].ip), "")
  ingress_hostname = try(trimspace(kubernetes_ingress_v1.backend.status[0].load_balancer[0].ingress[0].hostname), "")
}
