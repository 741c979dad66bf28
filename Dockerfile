# briefqa: the embedded default (FAISS on disk, packaged model), index built at image build time.
FROM python:3.11-slim

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HF_HUB_OFFLINE=1 \
    BRIEFQA_HOST=0.0.0.0 \
    BRIEFQA_PORT=8000

# Tesseract 5 for scanned PDFs and images (BRIEFQA_OCR=auto finds it); English only, as the service reads.
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends tesseract-ocr tesseract-ocr-eng \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 briefqa
WORKDIR /app

# Dependency layer: changes only when pyproject.toml does. torch first, CPU build, pinned.
COPY pyproject.toml README.md ./
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0 \
 && python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
      > /tmp/requirements.txt \
 && pip install -r /tmp/requirements.txt && rm /tmp/requirements.txt

# Code layer.
COPY service ./service
RUN pip install --no-deps .

# Data layer: the index is built here, so the container is ready as soon as it starts.
COPY corpus ./corpus
COPY index/README.md ./index/README.md
RUN briefqa index --quiet && chown -R briefqa:briefqa /app/index

USER briefqa
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD python -c "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4).status == 200 else 1)"
CMD ["briefqa", "serve"]
