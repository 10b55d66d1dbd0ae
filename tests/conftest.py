import sys
from pathlib import Path

# tests import their helper modules (helpers, conftest_sandbox, fixtures_models) directly
sys.path.insert(0, str(Path(__file__).resolve().parent))

# fixtures for every test module: the sandbox (sandbox_image, pool, solo_pool,
# host_secret) and the tiny models (tiny_gguf, llama_server)
pytest_plugins = ["conftest_sandbox", "fixtures_models"]
