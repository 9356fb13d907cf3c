# Molecule scenarios of the rke2 role on real systemd test hosts (network namespaces + debootstrap'd
# Debian + systemd as PID 1 + sshd). Needs root; see docs/rke2.md "Testing".
MOLECULE_SCENARIOS ?= rke2_single rke2_ha

.PHONY: molecule molecule-destroy
molecule: setup ## Molecule scenarios of the rke2 role (root; MOLECULE_SCENARIOS="rke2_single rke2_ha")
	@bash $(ROOT)/extensions/molecule/shared/run.sh $(MOLECULE_SCENARIOS)

molecule-destroy: ## Remove every Molecule test host, namespace and mount left by an interrupted run
	@bash $(ROOT)/extensions/molecule/shared/testhosts.sh down-all
