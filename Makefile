# The two commands a newcomer needs: `make lab` and `make test`. Every target sets up what it
# needs itself (venv, Docker engine, base image, flanneld archive), reusing caches when present.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

LAB := tests/lab
VENV := .venv
BIN := $(abspath $(VENV))/bin
# The flannel versions the lab and the tests use: the first is installed, the second is the
# upgrade/rollback partner.
FLANNEL_VERSIONS ?= v0.28.10 v0.28.4
# The etcd versions the lab and the tests use (tests/lab/etcd-archive.sh): v3.6.16 is installed (the
# role's default); the upgrade scenario starts on v3.5.1 (below the v3.5.32 etcd asks for before 3.6)
# and goes v3.5.35 -> v3.6.16 -> v3.7.3; the etcd scenario switches v3.6.16 -> v3.7.3.
ETCD_VERSIONS ?= v3.6.16 v3.5.1 v3.5.35 v3.7.3
LAB_NETWORK := overlaynet-lab
LAB_HOSTS := overlaynet-lab-node1 overlaynet-lab-node2 overlaynet-lab-node3
PLAYBOOK ?= playbooks/site.yml
EXTRA_VARS ?=
SCENARIO ?=
# `make bench BENCH_ARGS=--quick`: 3 hosts only (converge, idempotent re-run, setup, remote task runs);
# `BENCH_ARGS=--datapath`: 3 hosts, converge, then the datapath only (vxlan, swarm, host-gw, control).
BENCH_ARGS ?=

export PATH := $(BIN):$(PATH)
export OVERLAYNET_ARCHIVES := $(or $(OVERLAYNET_CACHE),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/overlaynet-flannel)/archives
export ANSIBLE_CONFIG := $(abspath ansible.cfg)

.PHONY: help setup venv engine image archives collection lab lab-destroy test lint sanity unit artifact molecule bench build clean

help:
	@echo "make lab          three systemd hosts in Docker, then $(PLAYBOOK) against them"
	@echo "                  (PLAYBOOK=playbooks/other.yml, EXTRA_VARS='@file.yml')"
	@echo "make lab-destroy  remove the lab's containers, volumes and network"
	@echo "make test         lint, ansible-test sanity, unit tests, artifact, molecule scenarios (CI)"
	@echo "make bench        module speed vs community.general.etcd3; converge, idempotence, throughput"

venv:
	@bash $(LAB)/venv.sh

engine:
	@bash $(LAB)/docker-engine.sh

# The host images of the lab and the CI scenarios, made before the scenarios run in parallel lanes
# (two lanes would otherwise build the same one at once): plain bookworm (the lab), preloaded bookworm
# and trixie, plain trixie-docker28 (`default`, Docker 28).
image: engine
	@bash $(LAB)/base-image.sh preloaded bookworm >/dev/null
	@bash $(LAB)/base-image.sh preloaded trixie >/dev/null
	@bash $(LAB)/base-image.sh plain trixie-docker28 >/dev/null

archives:
	@for v in $(FLANNEL_VERSIONS); do bash $(LAB)/flannel-archive.sh $$v >/dev/null; done
	@bash $(LAB)/etcd-archive.sh $(ETCD_VERSIONS) >/dev/null

# Lets playbooks in this checkout use the FQCN overlaynet.flannel.* without installing the collection.
collection:
	@mkdir -p .collections/ansible_collections/overlaynet
	@ln -sfn ../../.. .collections/ansible_collections/overlaynet/flannel

# The host images (debootstrap and apt: mostly waiting on the mirror and the disk) and the Go builds of
# the archives (CPU) are made side by side on a machine without caches.
setup: venv engine collection
	@$(MAKE) --no-print-directory -j2 image archives

lab: setup
	@bash $(LAB)/hosts.sh up $(LAB_NETWORK) $(LAB_HOSTS)
	@echo "==> lab: ansible-playbook $(PLAYBOOK)"
	$(BIN)/ansible-playbook -i $(LAB)/inventory.yml $(PLAYBOOK) $(if $(EXTRA_VARS),-e '$(EXTRA_VARS)')

lab-destroy:
	@bash $(LAB)/hosts.sh down $(LAB_NETWORK) $(LAB_HOSTS)

test: lint sanity unit artifact molecule

lint: venv collection
	@echo "==> lint: yamllint, ansible-lint (profile production)"
	$(BIN)/yamllint -s .
	$(BIN)/ansible-lint --offline

sanity: venv
	@bash tests/sanity.sh

unit: venv collection
	@echo "==> unit: pytest tests/unit (against a real etcd)"
	$(BIN)/pytest -q tests/unit

# The built artifact installs offline and its playbooks resolve by FQCN.
artifact: venv collection
	@bash tests/collection.sh

# The scenarios of `make test`, in MOLECULE_LANES parallel lanes: a lane takes the next scenario of
# the list when its previous one is done, so they are listed longest first. Only `default` starts
# from the plain host image (the docker role's real install, Docker 28); the others from preloaded ones.
CI_SCENARIOS ?= upgrade scale default secure etcd hostgw
MOLECULE_LANES ?= 2

# The CI scenarios (logs in .molecule-logs/), or one on the terminal: `make molecule SCENARIO=etcd`.
molecule: setup
	@bash tests/molecule.sh $(if $(SCENARIO),$(SCENARIO),-j $(MOLECULE_LANES) $(CI_SCENARIOS))

bench: setup
	$(BIN)/python tests/bench/module_bench.py
	$(BIN)/python tests/bench/run.py $(BENCH_ARGS)

build: venv
	$(BIN)/ansible-galaxy collection build --force --output-path dist

clean: lab-destroy
	rm -rf .collections .lab dist bench-results .venv
