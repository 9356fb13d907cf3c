# Go modules whose CRD definitions the component-role tests register on a simulated cluster.
# Format: <cache name> <module>@<version> <directory in the module> [<file glob>]
# shellcheck disable=SC2034
CRD_SOURCES=(
  "helm-controller github.com/k3s-io/helm-controller@v0.17.9 pkg/crds/yaml/generated *.yaml"
  "prometheus-operator github.com/prometheus-operator/prometheus-operator@v0.85.0 example/prometheus-operator-crd monitoring.coreos.com_*.yaml"
  "kueue sigs.k8s.io/kueue@v0.17.0 config/components/crd/bases *.yaml"
  "kubeflow-trainer github.com/kubeflow/trainer/v2@v2.0.0 manifests/base/crds trainer.kubeflow.org_*.yaml"
  "kuberay github.com/ray-project/kuberay/ray-operator@v1.5.0 config/crd/bases *.yaml"
)
