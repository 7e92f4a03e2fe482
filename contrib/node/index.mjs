// ESM entry of @bedrock-harness/mock: the same objects as index.cjs (one implementation, so a
// suite mixing import and require shares the live-process bookkeeping).
import helper from './index.cjs';

export const { startBedrockMock, connectBedrockMock, BedrockMock, BedrockMockError, formatJournal, ACCESS_KEY_ID, SECRET_ACCESS_KEY, REGION } = helper;
export default helper;
