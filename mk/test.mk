# `make test`: everything CI runs, each stage timed. Stages: lint, sanity, unit, integration
# (+ molecule when mk/molecule.mk defines it and we are root).
PYTEST := cd $(ROOT) && $(VENV)/bin/pytest
TEST_STAGES := build lint sanity unit integration $(if $(wildcard $(ROOT)/mk/molecule.mk),molecule)

.PHONY: test build lint sanity unit integration
test: setup sim-build ## Run every test stage (lint, sanity, unit, integration, molecule) with timings
	@set -e; total=$$SECONDS; for stage in $(TEST_STAGES); do \
	  t0=$$SECONDS; echo "=== [test] $$stage"; \
	  if $(MAKE) --no-print-directory $$stage; then r=ok; else r=FAILED; fi; \
	  echo "=== [test] $$stage $$r in $$((SECONDS - t0)) s"; \
	  echo "$$stage $$r $$((SECONDS - t0))" >> $(ROOT)/.test-timings; \
	  test $$r = ok || failed="$$failed $$stage"; \
	done; echo "=== [test] all stages in $$((SECONDS - total)) s"; \
	test -z "$$failed" || { echo "=== [test] failed stages:$$failed"; exit 1; }

build: setup ## ansible-galaxy collection build into build/
	cd $(ROOT) && $(VENV)/bin/ansible-galaxy collection build --force --output-path build . </dev/null

lint: setup ## ansible-lint (production profile)
	cd $(ROOT) && $(VENV)/bin/ansible-lint --offline --profile production

sanity: setup ## ansible-test sanity on a copy laid out as ansible_collections/ai_conformance/rke2
	bash $(ROOT)/tests/sanity/run.sh

unit: setup ## Unit tests (pure logic)
	$(PYTEST) tests/unit -q

integration: setup sim-build ## Integration tests against simulated clusters (real kube-apiserver)
	@# Each simulated cluster's controllers hold inotify instances; the default 128 per user runs out
	@# when the suite runs several clusters with add-ons (Kueue then dies with "too many open files").
	@if [ "$$(id -u)" = 0 ] && [ "$$(cat /proc/sys/fs/inotify/max_user_instances)" -lt 1024 ]; then \
	  sysctl -qw fs.inotify.max_user_instances=1024 || echo "[test] warning: could not raise fs.inotify.max_user_instances"; fi
	$(PYTEST) tests/integration -q --durations=15
