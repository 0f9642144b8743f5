# The commands behind the README, plus the developer's extras.
.PHONY: run test setup lint messages bench stack
run:        ## the app on the embedded default, with demo data
	bash scripts/dev.sh
test:       ## the whole suite on real PostgreSQL, Redis, Celery and Chromium
	bash scripts/test.sh
setup:
	bash scripts/setup.sh
lint:
	.venv/bin/ruff check .
messages:   ## refresh the zh-hans catalogue after changing strings (needs gettext)
	.venv/bin/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=node_modules --ignore=static/vendor
	.venv/bin/python manage.py compilemessages -l zh_Hans --ignore=.venv --ignore=node_modules
bench:
	@ls bench/*.py
stack:      ## the full stack without Docker (see README "Deployment")
	bash scripts/stack.sh
