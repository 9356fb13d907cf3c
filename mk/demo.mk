# make demo: the main job on the simulated GPU cluster, from a fresh clone to a conformance report.
DEMO_ADDONS ?= $(SIM_ADDONS_ALL)
DEMO_DIR ?= $(ROOT)/.sim
DEMO_KUBECONFIG = $(DEMO_DIR)/kubeconfig
DEMO_REPORT ?= $(ROOT)/conformance-report

.PHONY: demo
demo: setup ## Simulated GPU cluster + add-ons, site.yml's cluster objects, verify.yml, summary table
	@cd $(ROOT) && t0=$$SECONDS; \
	echo "[demo] 1/3 simulated cluster with add-ons $(DEMO_ADDONS) (the first run builds everything from Go modules)"; \
	$(PY) -m tests.sim up --dir $(DEMO_DIR) --addons $(DEMO_ADDONS) || { echo "[demo] the simulated cluster did not start (see above; logs in $(DEMO_DIR)/logs)"; exit 2; }; \
	t1=$$SECONDS; \
	echo "[demo] 2/3 cluster objects of site.yml, 3/3 verify.yml (active checks)"; \
	K8S_AUTH_KUBECONFIG=$(DEMO_KUBECONFIG) $(VENV)/bin/ansible-playbook $(ROOT)/playbooks/demo.yml \
	  -e @$(ROOT)/tests/sim/addons/verify-on-sim.yml -e verify_kubeconfig=$(DEMO_KUBECONFIG) \
	  -e verify_output_dir=$(DEMO_REPORT); rc=$$?; \
	echo "[demo] cluster up in $$((t1 - t0)) s, site.yml objects + verify in $$((SECONDS - t1)) s, total $$((SECONDS - t0)) s"; \
	echo "[demo] reports: $(DEMO_REPORT)/{report.md,results.json,junit.xml,PRODUCT.yaml}"; \
	echo "[demo] the cluster keeps running (KUBECONFIG=$(DEMO_KUBECONFIG)); stop it with: make sim-down SIM_DIR=$(DEMO_DIR)"; \
	exit $$rc
