# SPDX-License-Identifier: GPL-2.0-only
# Boot tests (tests/boot/cases.py, run by tests/run_all.py; see docs/testing.md).
# `make test` runs them after the unit tests; `make boot-test` runs only them.
# Pass T=TEXT to run only the boot tests whose name contains TEXT.

boot-test: deps
	@$(MAKE) --no-print-directory all
	@$(PYTHON) tests/run_all.py --boot-only $(if $(T),-k $(T))
