"""The simulated GPU cluster: a real Kubernetes control plane built from Go modules, with kwok
faking GPU nodes. Test harness only: product code (plugins/, roles/, playbooks/) never imports it."""
