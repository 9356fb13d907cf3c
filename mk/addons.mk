# Add-ons of the simulated cluster (tests/sim/addons): upstream controllers run as local processes.
#   make sim-up                        all add-ons `make demo` uses (default)
#   make sim-up ADDONS=traefik,kueue   only these (plus what they depend on)
#   make sim-up ADDONS=none            the bare cluster
SIM_ADDONS_ALL := dcgm-exporter,sample-inference,prometheus,prometheus-adapter,cluster-autoscaler,traefik,kueue,kuberay
ifeq ($(ADDONS),none)
export SIM_ADDONS :=
else ifdef ADDONS
export SIM_ADDONS := $(ADDONS)
else
export SIM_ADDONS ?= $(SIM_ADDONS_ALL)
endif

.PHONY: sim-addons-build
sim-addons-build: ## Build (or reuse cached) the add-on controllers from Go modules, one at a time
	bash $(ROOT)/tests/sim/build_addons.sh prometheus-server prometheus-adapter cluster-autoscaler kueue traefik kuberay
