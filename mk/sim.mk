# Simulated GPU cluster (tests/sim): real control plane from Go modules + kwok GPU nodes.
SIM := cd $(ROOT) && $(PY) -m tests.sim

.PHONY: sim-build sim-up sim-status sim-down
sim-build: setup ## Build (or reuse cached) control-plane binaries, etcd, kwok
	$(SIM) build
sim-up: setup ## Start the simulated cluster (idempotent); kubeconfig in .sim/kubeconfig
	$(SIM) up
sim-status: ## Show the simulated cluster's processes and shape
	@$(SIM) status
sim-down: ## Stop every process of the simulated cluster
	@test ! -x $(PY) || $(SIM) down
