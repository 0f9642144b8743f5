"""The production stack: Dockerfile, docker-compose.yml and scripts/stack.sh.

No Docker engine runs here, so these tests read the files and prove that what every
service runs exists in this project, that the environment it gets is what the settings
read and what production needs, and they run the same commands outside Docker: gunicorn
answering the compose healthcheck, collectstatic with the production storage,
`check --deploy`, and scripts/stack.sh against real PostgreSQL and Redis.
"""

import importlib
import json
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
import tomllib
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import yaml
from celery.app.utils import find_app
from celery.beat import Scheduler
from celery.utils.imports import symbol_by_name
from django.conf import settings
from django.core.management import get_commands
from django.urls import resolve

import config.celery
from config.health import healthz

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
REQUIRE_SERVICES = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# What an operator puts in .env next to docker-compose.yml.
OPERATOR_ENV = {
    "POSTGRES_PASSWORD": "pg-" + secrets.token_hex(8),
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
    "DJANGO_ALLOWED_HOSTS": "crm.example.com",
}
# Variables production cannot leave at their default, and why.
PRODUCTION_ENV = {
    "DATABASE_URL": "the default is a SQLite file private to each container",
    "REDIS_URL": "without it tasks run in-process and the worker and beat sit idle",
    "DJANGO_SECRET_KEY": "the default key file differs per container and needs a writable /app",
    "DJANGO_ALLOWED_HOSTS": "the default allows only localhost",
    "DJANGO_HTTPS": "secure cookies, HSTS, and trusting the proxy's X-Forwarded-Proto",
    "DJANGO_DEBUG": "must be false, said out loud",
    "MEDIA_ROOT": "uploads must land on the media volume",
    "AXES_PROXY_COUNT": "behind the proxy every login would come from the proxy's address",
}
WSGI_APP = "config.wsgi:application"


# --- reading the files ---------------------------------------------------------------


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def app_services() -> dict:
    """The services that run the project's image (built from the Dockerfile)."""
    return {name: s for name, s in compose()["services"].items() if "build" in s}


class MissingVariable(Exception):
    pass


def interpolate(value: str, env: dict) -> str:
    """Compose's `${VAR}`, `${VAR:-default}`, `${VAR:?error}` (and the forms without `:`)."""

    def substitute(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group(1), match.group(2) or "", match.group(3) or ""
        current = env.get(name)
        unset = current is None or (op.startswith(":") and current == "")
        if unset and op.endswith("?"):
            raise MissingVariable(f"{name}: {arg}")
        if unset and op.endswith("-"):
            return arg
        return current or ""

    return re.sub(r"\$\$|\$\{(\w+)(?:(:?[-?])([^}]*))?\}", substitute, value)


def container_env(service: dict, operator_env: dict | None = None) -> dict:
    env = operator_env if operator_env is not None else OPERATOR_ENV
    return {name: interpolate(str(value), env)
            for name, value in service.get("environment", {}).items()}


def compose_variables() -> set[str]:
    return set(re.findall(r"\$\{(\w+)", (ROOT / "docker-compose.yml").read_text()))


def dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (INSTRUCTION, arguments), continuations joined."""
    text = (ROOT / "Dockerfile").read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1].strip())
            for line in joined.splitlines() if line.strip()]


def dockerfile_stages() -> dict[str, list[tuple[str, str]]]:
    """Instructions per build stage, by stage name; the last stage is also "final"."""
    stages, current = {}, None
    for instruction, args in dockerfile():
        if instruction == "FROM":
            parts = args.split()
            current = parts[2] if len(parts) == 3 and parts[1].upper() == "AS" else parts[0]
            stages[current] = [(instruction, args)]
        else:
            stages[current].append((instruction, args))
    stages["final"] = stages[current]
    return stages


def dockerfile_cmd() -> list[str]:
    return json.loads([args for instr, args in dockerfile() if instr == "CMD"][-1])


def argvs_of(command) -> list[list[str]]:
    """The programs a compose command or CMD runs: `sh -c "a && exec b"` is [a, b]."""
    argv = shlex.split(command) if isinstance(command, str) else [str(c) for c in command]
    if argv[:2] != ["sh", "-c"]:
        return [argv]
    steps = [shlex.split(step) for step in argv[2].split("&&")]
    return [step[1:] if step[0] == "exec" else step for step in steps]


def service_argvs(service: dict) -> list[list[str]]:
    return argvs_of(service.get("command") or dockerfile_cmd())


def stack_script_argvs() -> list[list[str]]:
    """The programs scripts/stack.sh starts, with the .venv/bin/ prefix dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "scripts" / "stack.sh").read_text())
    argvs = []
    for line in text.splitlines():
        line = line.strip().rstrip("&").strip()
        if line.startswith(".venv/bin/"):
            argvs.append(shlex.split(line.removeprefix(".venv/bin/")))
    return argvs


def option(argv: list[str], *names: str) -> str | None:
    for i, arg in enumerate(argv):
        for name in names:
            if arg == name and i + 1 < len(argv):
                return argv[i + 1]
            if arg.startswith(name + "="):
                return arg.split("=", 1)[1]
    return None


def settings_env_names() -> set[str]:
    """Every environment variable config/ reads (env helpers and os.environ)."""
    names = set()
    for path in (ROOT / "config").glob("*.py"):
        text = path.read_text()
        names |= set(re.findall(r"\benv(?:\.\w+)?\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']", text))
        names |= set(re.findall(
            r"os\.environ(?:\.get|\.setdefault)?[\[(]\s*[\"']([A-Z][A-Z0-9_]*)[\"']", text))
    return names


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def dependency_names() -> set[str]:
    return {re.split(r"[\[<>=~!; ]", dep, maxsplit=1)[0].lower()
            for dep in pyproject()["project"]["dependencies"]}


def check_program(argv: list[str]) -> str:
    """Fail unless argv runs something this project has; return what it runs."""
    program = argv[0]
    if program == "python":
        assert argv[1] == "manage.py", argv
        assert argv[2] in get_commands(), f"no management command {argv[2]!r}"
        return f"manage.py {argv[2]}"
    assert program in dependency_names(), f"{program} is not a dependency in pyproject.toml"
    assert (BIN / program).exists(), f"{program} is not installed next to {sys.executable}"
    if program == "gunicorn":
        target = next(arg for arg in argv[1:] if ":" in arg and not arg.startswith("-"))
        module, attribute = target.split(":")
        application = getattr(importlib.import_module(module), attribute)
        assert callable(application), f"{target} is not callable"
        return f"gunicorn {target}"
    if program == "celery":
        app_name = option(argv, "-A", "--app")
        assert find_app(app_name) is config.celery.app, f"-A {app_name} is not config.celery.app"
        subcommand = next(a for a in argv[argv.index(app_name) + 1:] if not a.startswith("-"))
        assert subcommand in ("worker", "beat"), subcommand
        if subcommand == "beat":
            scheduler = option(argv, "--scheduler", "-S") or config.celery.app.conf.beat_scheduler
            assert issubclass(symbol_by_name(scheduler), Scheduler), scheduler
        return f"celery {subcommand}"
    pytest.fail(f"unknown program {program!r} in {argv}")


# --- compose: what every service runs ---------------------------------------------------


def test_every_compose_service_runs_something_that_exists():
    services = compose()["services"]
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    runs = {name: [check_program(argv) for argv in service_argvs(service)]
            for name, service in app_services().items()}
    assert runs == {
        "web": ["manage.py migrate", f"gunicorn {WSGI_APP}"],
        "worker": ["celery worker"],
        "beat": ["celery beat"],
    }


def test_celery_dash_a_config_resolves_to_the_app_in_config_celery():
    assert find_app("config") is config.celery.app
    assert config.celery.app.main == "keqing"
    assert config.celery.app.conf.broker_url == settings.CELERY_BROKER_URL


def test_the_worker_knows_every_task_beat_schedules():
    app = config.celery.app
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled, "CELERY_BEAT_SCHEDULE is empty"
    assert scheduled <= set(app.tasks), scheduled - set(app.tasks)


def test_beat_runs_the_database_scheduler_the_settings_name():
    beat = service_argvs(app_services()["beat"])[0]
    scheduler = option(beat, "--scheduler", "-S")
    assert scheduler == settings.CELERY_BEAT_SCHEDULER == config.celery.app.conf.beat_scheduler
    scheduler_class = symbol_by_name(scheduler)
    assert issubclass(scheduler_class, Scheduler)
    assert scheduler_class.__module__ == "django_celery_beat.schedulers"
    assert "django_celery_beat" in settings.INSTALLED_APPS


def test_the_wsgi_module_imports_and_is_a_wsgi_callable():
    module = importlib.import_module("config.wsgi")
    assert callable(module.application)
    assert WSGI_APP.replace(":", ".") == settings.WSGI_APPLICATION


# --- compose: the environment ----------------------------------------------------------


def test_the_settings_reader_finds_the_variables_it_should():
    # Guards the regex the next tests rely on: a reader that finds nothing proves nothing.
    assert {"DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY", "DJANGO_HTTPS",
            "MEDIA_ROOT"} <= settings_env_names()


def test_every_env_var_in_compose_is_one_the_settings_read():
    read = settings_env_names()
    for name, service in app_services().items():
        unknown = set(service["environment"]) - read
        assert not unknown, f"{name} sets variables no setting reads: {sorted(unknown)}"


def test_compose_provides_every_variable_production_needs():
    assert set(PRODUCTION_ENV) <= settings_env_names(), set(PRODUCTION_ENV) - settings_env_names()
    for name, service in app_services().items():
        missing = set(PRODUCTION_ENV) - set(service["environment"])
        assert not missing, f"{name} lacks {sorted(missing)}"


def test_the_operator_must_supply_the_secrets_and_compose_refuses_to_start_without_them():
    for variable in OPERATOR_ENV:
        without = {k: v for k, v in OPERATOR_ENV.items() if k != variable}
        with pytest.raises(MissingVariable, match=variable):
            for service in compose()["services"].values():
                container_env(service, without)


def test_every_variable_the_operator_may_set_is_documented_in_the_readme():
    deployment = (ROOT / "README.md").read_text().split("## Deployment", 1)[1]
    undocumented = {name for name in compose_variables() if name not in deployment}
    assert not undocumented, f"README 'Deployment' does not mention {sorted(undocumented)}"


def test_the_compose_environment_yields_the_production_settings():
    services = compose()["services"]
    web_env = container_env(services["web"])
    postgres_env = container_env(services["postgres"])
    probe = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "db = s.DATABASES['default']; print(json.dumps({"
        "'db': [db['ENGINE'], db['HOST'], db['NAME'], db['USER'], db['PASSWORD']], "
        "'broker': s.CELERY_BROKER_URL, 'eager': s.CELERY_TASK_ALWAYS_EAGER, "
        "'cache': s.CACHES['default']['BACKEND'], 'debug': s.DEBUG, 'key': s.SECRET_KEY, "
        "'hosts': s.ALLOWED_HOSTS, 'csrf': s.CSRF_TRUSTED_ORIGINS, "
        "'ssl': s.SECURE_SSL_REDIRECT, 'proxy': s.SECURE_PROXY_SSL_HEADER, "
        "'cookies': [s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE], "
        "'axes_proxies': s.AXES_IPWARE_PROXY_COUNT, 'media': str(s.MEDIA_ROOT), "
        "'static': s.STORAGES['staticfiles']['BACKEND']}))"
    )
    env = {"PATH": os.environ["PATH"], **web_env, "DJANGO_SETTINGS_MODULE": "config.settings"}
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout
    loaded = json.loads(out.strip().splitlines()[-1])

    assert loaded["db"] == ["django.db.backends.postgresql", "postgres",
                            postgres_env["POSTGRES_DB"], postgres_env["POSTGRES_USER"],
                            OPERATOR_ENV["POSTGRES_PASSWORD"]]
    assert urlsplit(loaded["broker"]).hostname == "redis"
    assert loaded["eager"] is False and loaded["cache"].endswith("RedisCache")
    assert loaded["debug"] is False
    assert loaded["key"] == OPERATOR_ENV["DJANGO_SECRET_KEY"]
    assert loaded["hosts"] == ["crm.example.com"] and loaded["csrf"] == []
    assert loaded["ssl"] is True and loaded["cookies"] == [True, True]
    assert loaded["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert loaded["axes_proxies"] == 1
    assert loaded["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    for name in ("web", "worker"):
        mounts = {v.split(":")[1] for v in services[name]["volumes"]}
        assert loaded["media"] in mounts, f"{name} does not mount the media volume at MEDIA_ROOT"


def test_data_lives_on_named_volumes():
    document = compose()
    assert {"pgdata", "media"} <= set(document["volumes"])
    assert "pgdata:/var/lib/postgresql/data" in document["services"]["postgres"]["volumes"]
    assert "media:/app/media" in document["services"]["web"]["volumes"]


# --- compose: healthchecks -------------------------------------------------------------


def web_healthcheck_script() -> str:
    test = compose()["services"]["web"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"], test
    return test[3]


def test_every_service_has_a_healthcheck_and_the_app_waits_for_them():
    services = compose()["services"]
    assert "pg_isready" in services["postgres"]["healthcheck"]["test"]
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    assert "/healthz" in web_healthcheck_script()
    assert services["web"]["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    # Worker and beat start after web has migrated the database.
    for name in ("worker", "beat"):
        assert services[name]["depends_on"] == {"web": {"condition": "service_healthy"}}


def test_the_web_healthcheck_url_resolves_to_the_health_view():
    url = re.search(r"http://[^/\"']+(/[^\"'\s]*)", web_healthcheck_script()).group(1)
    assert url == "/healthz"
    assert resolve(url).func is healthz


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(**extra) -> dict:
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "AXES_", "MEDIA_"))}
    return {**keep, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_DEBUG": "false",
            "DJANGO_HTTPS": "true", "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "DJANGO_ALLOWED_HOSTS": "crm.example.com", **extra}


def test_the_web_healthcheck_passes_against_gunicorn_running_the_web_command(tmp_path):
    """Runs the web service's gunicorn argv and then its healthcheck script, as compose would."""
    gunicorn = service_argvs(app_services()["web"])[-1]
    assert option(gunicorn, "--bind", "-b") == "0.0.0.0:8000"
    port = free_port()
    argv = [str(BIN / "gunicorn"), *gunicorn[1:]]
    argv[argv.index("--bind") + 1] = f"127.0.0.1:{port}"
    script = web_healthcheck_script()
    assert "127.0.0.1:8000" in script
    script = script.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    env = production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
                         MEDIA_ROOT=str(tmp_path / "media"), AXES_PROXY_COUNT="1")
    server = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    try:
        deadline, check = time.monotonic() + 30, None
        while time.monotonic() < deadline and server.poll() is None:
            check = subprocess.run([sys.executable, "-c", script], env=env,
                                   capture_output=True, text=True)
            if check.returncode == 0:
                break
            time.sleep(0.5)
        assert server.poll() is None, "gunicorn exited"
        assert check is not None and check.returncode == 0, check and check.stderr[-2000:]
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
    assert "Booting worker" in errors


# --- Dockerfile ------------------------------------------------------------------------


def test_the_image_is_python_311_slim_with_the_pyproject_dependencies():
    final = dockerfile_stages()["final"]
    assert final[0] == ("FROM", "python:3.11-slim")
    # pyproject declares no packages: installing the project installs its dependencies.
    assert pyproject()["tool"]["setuptools"]["packages"] == []
    copied = [args.split() for instr, args in final if instr == "COPY"]
    pyproject_dir = next(parts[-1] for parts in copied if parts[:-1] == ["pyproject.toml"])
    pyproject_dir = pyproject_dir.rstrip("/")
    installs = [args for instr, args in final if instr == "RUN" and "pip install" in args]
    assert any(shlex.split(args)[2] == pyproject_dir for args in installs), installs
    assert {"gunicorn", "celery", "psycopg", "django-celery-beat"} <= dependency_names()


def test_the_image_gets_the_vendor_libraries_from_a_node_stage():
    stages = dockerfile_stages()
    vendor = stages["vendor"]
    assert vendor[0][1].startswith("node:")
    workdir = next(args for instr, args in vendor if instr == "WORKDIR")
    runs = " ".join(args for instr, args in vendor if instr == "RUN")
    assert "npm ci" in runs and "npm run vendor" in runs
    copies = [args for instr, args in vendor if instr == "COPY"]
    assert "scripts/copy-vendor.mjs scripts/" in copies and "package-lock.json" in copies[0]
    package = json.loads((ROOT / "package.json").read_text())
    assert package["scripts"]["vendor"] == "node scripts/copy-vendor.mjs"
    assert ("COPY", f"--from=vendor {workdir}/static/vendor /app/static/vendor") in (
        stages["final"])


def test_the_image_collects_static_with_a_dummy_key_and_the_production_storage():
    final = dockerfile_stages()["final"]
    collect = next(args for instr, args in final if instr == "RUN" and "collectstatic" in args)
    assert re.search(r"DJANGO_SECRET_KEY=\S+", collect)
    # The manifest must be built by the storage production runs with (DEBUG false).
    debug = re.search(r"DJANGO_DEBUG=(\S+)", collect).group(1)
    assert debug == "false" == compose()["x-app"]["environment"]["DJANGO_DEBUG"]
    position = final.index(("RUN", collect))
    assert ("COPY", "--from=vendor /build/static/vendor /app/static/vendor") in final[:position]


def test_the_image_runs_as_a_non_root_user_who_owns_the_media_folder():
    final = dockerfile_stages()["final"]
    users = [args for instr, args in final if instr == "USER"]
    assert users and users[-1] not in ("root", "0")
    runs = " ".join(args for instr, args in final if instr == "RUN")
    assert f"chown {users[-1]}:{users[-1]} /app/media" in runs
    assert re.search(rf"useradd [^&]*\b{users[-1]}\b", runs), "the user is not created"
    assert [i for i, _ in final].index("USER") < [i for i, _ in final].index("CMD")


def test_the_image_cmd_serves_the_same_wsgi_application_as_the_web_service():
    cmd = dockerfile_cmd()
    assert check_program(cmd) == f"gunicorn {WSGI_APP}"
    web_gunicorn = service_argvs(app_services()["web"])[-1]
    assert cmd == web_gunicorn


def test_the_image_leaves_out_every_local_state_path_git_ignores():
    source = dockerfile_stages()["source"]
    cleanup = {token.removeprefix("./") for instr, args in source if instr == "RUN"
               for token in shlex.split(args)}
    ignored = [line.strip().rstrip("/") for line in (ROOT / ".gitignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")]
    assert ignored, ".gitignore is empty"
    assert not [entry for entry in ignored if entry not in cleanup], cleanup
    assert ("COPY", "--from=source /src /app") in dockerfile_stages()["final"]


# --- the same commands, run here -------------------------------------------------------


def test_collectstatic_succeeds_with_the_production_static_storage(tmp_path):
    """What the image build (and scripts/stack.sh) run: every vendor file must resolve."""
    if not (ROOT / "static" / "vendor").is_dir():
        pytest.fail("static/vendor/ is missing: run scripts/setup.sh")
    script = (
        "import sys, django; django.setup(); from django.core.management import call_command; "
        "from django.test.utils import override_settings\n"
        "with override_settings(STATIC_ROOT=sys.argv[1]):\n"
        "    call_command('collectstatic', interactive=False, verbosity=0)"
    )
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path)], cwd=ROOT,
                            env=production_env(), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    assert "vendor/leaflet/leaflet.js" in manifest and "css/app.css" in manifest
    assert (tmp_path / (manifest["css/app.css"] + ".gz")).exists()


def test_check_deploy_is_clean_with_the_production_environment():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=production_env(), capture_output=True, text=True,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output and "ERRORS" not in output, output
    assert "System check identified no issues" in output


# --- scripts/stack.sh ------------------------------------------------------------------


def test_the_stack_script_refuses_to_start_without_postgres_and_redis():
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    for missing, env in [
        ("DATABASE_URL", {**base, "REDIS_URL": "redis://127.0.0.1:6379/0"}),
        ("REDIS_URL", {**base, "DATABASE_URL": "postgres://u@127.0.0.1:5432/k"}),
    ]:
        result = subprocess.run(["bash", "scripts/stack.sh"], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 2, result.stderr
        assert f"{missing} is not set" in result.stderr


def test_the_stack_script_runs_the_same_programs_as_compose():
    runs = [check_program(argv) for argv in stack_script_argvs()]
    assert runs == ["manage.py migrate", "manage.py collectstatic", f"gunicorn {WSGI_APP}",
                    "celery worker", "celery beat"]
    beat = stack_script_argvs()[-1]
    assert option(beat, "--scheduler") == settings.CELERY_BEAT_SCHEDULER


def services_for_the_stack() -> tuple[str, str]:
    """A PostgreSQL server URL and a Redis URL that answer, or skip (fail under CI)."""
    import psycopg
    import redis

    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        database_url = "postgres://postgres@127.0.0.1:5432/keqing"
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    # The server's maintenance database: the one in DATABASE_URL may not exist yet.
    database_url = urlunsplit(urlsplit(database_url)._replace(path="/postgres"))
    try:
        psycopg.connect(database_url, connect_timeout=3).close()
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except (psycopg.Error, redis.RedisError) as exc:
        message = f"PostgreSQL or Redis is not reachable: {exc}"
        if REQUIRE_SERVICES:
            pytest.fail(message)
        pytest.skip(message)
    # A Redis database of its own, so its worker takes no other test's tasks.
    return database_url, urlunsplit(urlsplit(redis_url)._replace(path="/13"))


def session_processes(session: int) -> list[int]:
    out = subprocess.run(["ps", "-eo", "pid=,sid="], capture_output=True, text=True).stdout
    return [int(pid) for pid, sid in (line.split() for line in out.splitlines())
            if int(sid) == session]


def wait_until(condition, seconds: float, stack: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if stack.poll() is not None:
            pytest.fail(f"stack.sh exited with {stack.returncode}:\n{log.read_text()[-4000:]}")
        if condition():
            return
        time.sleep(1)
    pytest.fail(f"timed out waiting for {condition.__name__}:\n{log.read_text()[-4000:]}")


@pytest.mark.celery
def test_the_stack_script_runs_web_worker_and_beat_and_ctrl_c_stops_them_all(tmp_path):
    import psycopg
    import redis

    server_url, redis_url = services_for_the_stack()
    database = f"keqing_stack_{uuid.uuid4().hex[:8]}"
    database_url = urlunsplit(urlsplit(server_url)._replace(path=f"/{database}"))
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    redis.Redis.from_url(redis_url).flushdb()
    port = free_port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
           "DATABASE_URL": database_url, "REDIS_URL": redis_url,
           "KEQING_ADDR": f"127.0.0.1:{port}"}
    log = tmp_path / "stack.log"
    with log.open("w") as out:
        stack = subprocess.Popen(["bash", "scripts/stack.sh"], cwd=ROOT, env=env, stdout=out,
                                 stderr=subprocess.STDOUT, start_new_session=True)
    try:
        def web_is_healthy() -> bool:
            import urllib.request

            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=3) as r:
                    return json.load(r) == {"status": "ok", "database": "ok", "broker": "ok"}
            except OSError:
                return False

        def worker_answers_ping() -> bool:
            result = subprocess.run(
                [str(BIN / "celery"), "-A", "config", "inspect", "ping", "--timeout", "2"],
                cwd=ROOT, env=env, capture_output=True, text=True)
            return result.returncode == 0 and "pong" in result.stdout

        def beat_seeded_its_schedule() -> bool:
            with psycopg.connect(database_url) as conn:
                rows = conn.execute("SELECT name FROM django_celery_beat_periodictask").fetchall()
            return ("housekeeping",) in rows

        wait_until(web_is_healthy, 600, stack, log)  # the first run of setup.sh installs
        wait_until(worker_answers_ping, 60, stack, log)
        wait_until(beat_seeded_its_schedule, 60, stack, log)
        assert len(session_processes(stack.pid)) >= 4  # bash, gunicorn, worker, beat

        stack.send_signal(signal.SIGINT)
        assert stack.wait(timeout=90) == 130
        deadline = time.monotonic() + 10
        while session_processes(stack.pid) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert session_processes(stack.pid) == [], log.read_text()[-4000:]
    finally:
        if stack.poll() is None or session_processes(stack.pid):
            os.killpg(stack.pid, signal.SIGKILL)
            stack.wait(timeout=10)
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
