# ai_conformance.rke2 — entry points. Area-specific targets live in mk/*.mk.
SHELL := /bin/bash
.DEFAULT_GOAL := help
ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
VENV := $(ROOT)/.venv
PY := $(VENV)/bin/python
export PATH := $(VENV)/bin:$(PATH)
export ANSIBLE_CONFIG := $(ROOT)/ansible.cfg
COLLECTION_LINK := $(ROOT)/.collections/ansible_collections/ai_conformance/rke2

.PHONY: help setup
help: ## List targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sort | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

setup: $(VENV)/.installed $(COLLECTION_LINK) ## Create .venv (pinned tools) and link the collection into .collections
$(VENV)/.installed: requirements.txt requirements-dev.txt
	@t0=$$SECONDS; set -e; test -x $(PY) || python3 -m venv $(VENV); \
	$(PY) -m pip install -q --upgrade pip; \
	$(PY) -m pip install -q -r requirements-dev.txt; \
	touch $@; echo "[setup] venv ready in $$((SECONDS - t0)) s"
$(COLLECTION_LINK):
	@mkdir -p $(dir $@) && ln -sfn $(ROOT) $@

include $(sort $(wildcard $(ROOT)/mk/*.mk))
