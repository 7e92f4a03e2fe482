// Types of @bedrock-harness/mock (index.cjs / index.mjs). Guide: docs/javascript.md.

export interface StartOptions {
    /** bedrock-mock to run; default $BEDROCK_MOCK_BIN, a checkout's build/bin, then PATH. */
    bin?: string;
    /** bedrock-scenario, for `scenario` and loadScenario(); default $BEDROCK_SCENARIO_BIN, build/bin, PATH. */
    scenarioBin?: string;
    /** Extra bedrock-mock options; `--clock virtual` is added unless they name a --clock. */
    args?: string[];
    /** Start `bedrock-scenario serve FILE` instead of a plain mock. */
    scenario?: string;
    /** false: leave process.env alone (the variables are still in `mock.env`). Default true. */
    env?: boolean;
}

/** Matchers and modifiers of a rule (docs/rules.md); other keys (delayMs, retryAfter, ...) are copied as given. */
export interface RuleOptions {
    id?: string;
    operation?: string | string[];
    /** Glob on the modelId of the path. */
    model?: string;
    /** Substring of the last user message's text. */
    text?: string;
    /** Any other matchers, as docs/rules.md names them (toolResult, textRegex, nth, attempt, headers, account). */
    match?: Record<string, unknown>;
    times?: number;
    after?: number;
    priority?: number;
    probability?: number;
    [extra: string]: unknown;
}

export interface FailOptions extends RuleOptions {
    /** A Bedrock error type (docs/errors.md); default InternalServerException (fail) or ThrottlingException (throttle). */
    error?: string;
    message?: string;
}

export interface ReplyOptions extends RuleOptions {
    text?: string;
    toolUse?: { name: string; input?: unknown; toolUseId?: string };
    stopReason?: string;
    usage?: { inputTokens?: number; outputTokens?: number };
}

export interface QuotaOptions {
    model?: string;
    tokensPerMinute?: number;
    requestsPerMinute?: number;
    tokensPerDay?: number;
    retryAfter?: boolean;
}

export interface JournalFilters {
    operation?: string;
    model?: string;
    invocationId?: string;
    account?: string;
    /** Ask for request_body / response_body (on a mock whose journal keeps them). */
    bodies?: boolean;
    /** Only entries with seq > since. */
    since?: number;
}

/** One journal entry (docs/admin-api.md); the fields present depend on the request. */
export interface JournalEntry {
    seq: number;
    operation: string | null;
    model_id: string | null;
    status: number;
    error_code: string | null;
    error_message: string | null;
    invocation_id: string | null;
    attempt?: number;
    max_attempts?: number;
    rule?: string;
    cache?: { points: Array<{ location: string; outcome: string; prefix_tokens?: number; ttl?: string }> };
    request_body?: unknown;
    response_body?: unknown;
    [field: string]: unknown;
}

export interface ScenarioCheck {
    ok: boolean;
    code: number;
    output: string;
}

export declare class BedrockMockError extends Error {
    status?: number;
    body?: string;
}

export declare class BedrockMock {
    readonly url: string;
    readonly port: number;
    readonly env: Record<string, string>;
    readonly running: boolean;
    scenario: string | null;
    stop(): Promise<void>;
    admin(method: string, path: string, body?: unknown, query?: Record<string, string | number | undefined>): Promise<any>;
    health(): Promise<{ status: string; port: number; clock: string; requests: number }>;
    addRule(rule: Record<string, unknown>): Promise<string>;
    addRule(rules: Array<Record<string, unknown>>): Promise<string[]>;
    throttle(options?: FailOptions): Promise<string>;
    fail(options?: FailOptions): Promise<string>;
    reply(options: ReplyOptions): Promise<string>;
    rules(): Promise<Array<{ id: string; matched: number; fired: number; rule: unknown }>>;
    rule(id: string): Promise<{ id: string; matched: number; fired: number; rule: unknown }>;
    removeRule(id?: string): Promise<void>;
    setQuota(options?: QuotaOptions): Promise<any>;
    quotas(): Promise<any>;
    advanceClock(ms: number): Promise<{ mode: string; now_ms: number }>;
    clock(): Promise<{ mode: string; now_ms: number }>;
    journal(filters?: JournalFilters): Promise<JournalEntry[]>;
    attemptsByInvocation(filters?: JournalFilters): Promise<Record<string, number>>;
    cacheOutcomes(filters?: JournalFilters): Promise<string[][]>;
    formattedJournal(filters?: JournalFilters): Promise<string>;
    cache(): Promise<Array<Record<string, unknown>>>;
    clearCache(): Promise<void>;
    clearJournal(): Promise<void>;
    reset(): Promise<void>;
    loadScenario(file: string): Promise<void>;
    checkScenario(): Promise<ScenarioCheck>;
}

export declare function startBedrockMock(options?: StartOptions): Promise<BedrockMock>;
/** A BedrockMock for a mock started elsewhere (a global setup); stop() only restores process.env. */
export declare function connectBedrockMock(url: string, options?: { env?: boolean }): BedrockMock;
export declare function formatJournal(entries: JournalEntry[]): string;
export declare const ACCESS_KEY_ID: string;
export declare const SECRET_ACCESS_KEY: string;
export declare const REGION: string;
