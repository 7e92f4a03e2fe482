"""pytest-bedrock-mock: run bedrock-mock (bedrock-harness's local Amazon Bedrock Runtime) in tests.

The pytest plugin (plugin.py, registered through the `pytest11` entry point) provides the
`bedrock_mock` fixture and the `bedrock_scenario` marker; BedrockMock can also be used on its
own: `with BedrockMock.start("bedrock-mock") as mock: ...`. Guide: docs/python.md.
"""
from .mock import ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY, BedrockMock, ScenarioCheck, format_journal
from .process import BedrockMockError

__all__ = ["ACCESS_KEY_ID", "REGION", "SECRET_ACCESS_KEY", "BedrockMock", "BedrockMockError", "ScenarioCheck",
           "format_journal"]
__version__ = "0.1.0"
