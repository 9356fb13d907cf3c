# Component roles (issue 5): tests and lint. docs/components.md.
COMPONENT_ROLES := gateway_api gpu_operator azure_ccm cluster_autoscaler gpu_metrics gang_scheduler ai_operator cluster_objects

.PHONY: components-test components-unit components-crds components-lint
components-unit: setup ## Unit tests of the component roles' rendered values
	cd $(ROOT) && $(PY) -m pytest -q tests/unit/roles

components-crds: ## Fetch the real CRDs of the components' custom kinds from their Go modules (cached)
	bash $(ROOT)/tests/sim/crds/fetch.sh

components-test: setup components-crds ## Component roles: unit + integration tests on the simulated cluster
	cd $(ROOT) && $(PY) -m pytest -q tests/unit/roles tests/integration/roles

components-lint: setup ## ansible-lint (production profile) on the component roles and site.yml
	cd $(ROOT) && $(VENV)/bin/ansible-lint --profile production $(addprefix roles/,$(COMPONENT_ROLES)) playbooks/site.yml
