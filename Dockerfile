# One image for every ANTT service; the command picks the service:
#   python -m services intake|verification|extraction|aggregation|gateway
#   python -m services.common.topics   (one-shot: create the topics of schemas/)
FROM python:3.11.16-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Runtime dependencies only: the direct ones of pyproject.toml, every version (transitive ones
# too) pinned by requirements.lock. The dev extras (pytest, SecantusDB) are never installed.
# The packages of [tool.antt] data-only are installed without their dependencies: only their
# data is read (vietnamadminunits' unit table; its parser's Unidecode is GPL-2.0+). NOTICE lists
# what this installs, tests/unit/test_licences.py checks it.
COPY pyproject.toml requirements.lock ./
RUN python -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb')); data = p['tool']['antt']['data-only']; deps = p['project']['dependencies']; open('/tmp/runtime.txt', 'w').write('\n'.join(d for d in deps if d.split('==')[0] not in data)); open('/tmp/data.txt', 'w').write('\n'.join(d for d in deps if d.split('==')[0] in data))" \
 && pip install -c requirements.lock -r /tmp/runtime.txt \
 && pip install --no-deps -c requirements.lock -r /tmp/data.txt \
 && rm /tmp/runtime.txt /tmp/data.txt

# The code runs from /app (not site-packages): services/common/contracts.py finds schemas/
# beside services/. Byte-compiled here because the root filesystem is read-only at run time.
COPY services ./services
COPY schemas ./schemas
COPY LICENSE NOTICE ./
RUN python -m compileall -q services \
 && useradd --system --uid 10001 --user-group --no-create-home --home-dir /nonexistent antt

USER 10001:10001

# Listen on every interface inside a container; refuse the development secrets.
ENV ANTT_HOST=0.0.0.0 \
    ANTT_ENV=production

# gateway 8000, intake 8001, verification 8002, extraction 8003, aggregation 8004
EXPOSE 8000-8004

CMD ["python", "-m", "services", "gateway"]
