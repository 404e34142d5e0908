/**
 * The SQL guardrails on their own (src/guardrails), with PostgreSQL's parser running in workerd: what a
 * statement touches in every position, what it may call, and the attacks that walked around the old
 * deny list (SQL in function arguments, casts, operators, constructs, unbounded series). The same
 * classes are attacked end to end through the tools in sql-attacks.test.ts.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { sql } from '../../src/db'
import {
  ALLOWED_FUNCTIONS,
  ALLOWED_TYPES,
  checkExpression,
  extensionPolicy,
  NO_EXTENSIONS,
  readScript,
  SIZED_FUNCTIONS,
  sqlParser,
  type ExpressionRules,
  VOLATILE_ALLOWED,
  type SqlParser,
} from '../../src/guardrails'
import { GatewayError } from '../../src/errors'
import { withAnalyticsSuperuser } from '../helpers/db'

let parser: SqlParser
beforeAll(async () => {
  parser = await sqlParser()
})

const UNTRUSTED = {
  trusted: false,
  allowSubqueries: true,
  policy: NO_EXTENSIONS,
  now: Date.parse('2026-12-01T00:00:00Z'),
}

const script = (sql: string, options = UNTRUSTED) => readScript(parser, sql, options)
const relationsOf = (sql: string) =>
  script(sql).flatMap((statement) =>
    statement.relations.map((relation) => `${relation.role}:${relation.schema ?? ''}.${relation.name}`),
  )

/** The refusal message of a script, or 'allowed'. */
function verdict(sql: string, options = UNTRUSTED): string {
  try {
    script(sql, options)
    return 'allowed'
  } catch (err) {
    if (err instanceof GatewayError) return err.message
    throw err
  }
}

const adhoc: Omit<ExpressionRules, 'name'> = {
  origin: 'ad-hoc metric',
  trusted: false,
  allowSubqueries: false,
  policy: NO_EXTENSIONS,
  now: UNTRUSTED.now,
}
const expression = (text: string, rules: Partial<ExpressionRules> = {}) =>
  checkExpression(parser, text, { ...adhoc, name: 'm', ...rules })

describe('statements: what they are and every relation they touch', () => {
  it.each([
    ['SELECT * FROM sales.orders', ['read:sales.orders']],
    ['SELECT * FROM (SELECT * FROM hr.employees e) sub', ['read:hr.employees']],
    ['WITH x AS (SELECT * FROM hr.employees) SELECT * FROM x', ['read:hr.employees']],
    ['WITH a AS (SELECT 1), b AS (SELECT * FROM a) SELECT * FROM b', []],
    ['WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3) SELECT * FROM t', []],
    [
      'SELECT * FROM employees, (WITH employees AS (SELECT 1) SELECT * FROM employees) s',
      ['read:.employees'],
    ],
    // A binding does not see the ones after it: `a` here is a table.
    ['WITH b AS (SELECT * FROM a), a AS (SELECT 1) SELECT * FROM b', ['read:.a']],
    ['SELECT 1 WHERE EXISTS (SELECT 1 FROM finance.gl_entries)', ['read:finance.gl_entries']],
    ['SELECT * FROM "Sales"."Orders", Sales.ORDERS', ['read:Sales.Orders', 'read:sales.orders']],
    ['SELECT 1 /* /* nested */ FROM hr.employees */', []],
    ['INSERT INTO scratch.t SELECT * FROM hr.employees', ['write:scratch.t', 'read:hr.employees']],
    [
      'UPDATE scratch.t SET a = 1 FROM hr.employees e WHERE e.id = t.id',
      ['write:scratch.t', 'read:hr.employees'],
    ],
    ['DELETE FROM scratch.t USING hr.employees', ['write:scratch.t', 'read:hr.employees']],
    ['CREATE TABLE hr.x (a int)', ['create:hr.x']],
    ['CREATE TABLE scratch.x (LIKE hr.employees)', ['create:scratch.x', 'read:hr.employees']],
    ['CREATE TABLE scratch.x () INHERITS (hr.employees)', ['create:scratch.x', 'read:hr.employees']],
    [
      'CREATE TABLE scratch.x (id int REFERENCES hr.employees (employee_id))',
      ['create:scratch.x', 'read:hr.employees'],
    ],
    ['CREATE INDEX ON hr.employees (salary)', ['write:hr.employees']],
    ['CREATE SEQUENCE hr.s', ['create:hr.s']],
    ['CREATE VIEW scratch.v AS SELECT * FROM hr.employees', ['create:scratch.v', 'read:hr.employees']],
    ['CREATE TABLE scratch.c AS SELECT * FROM hr.employees', ['read:hr.employees', 'create:scratch.c']],
    ['SELECT * INTO scratch.c FROM hr.employees', ['create:scratch.c', 'read:hr.employees']],
    ['CREATE TEMP TABLE t AS SELECT 1', ['create:.t']],
  ])('%s', (sql, expected) => {
    expect(relationsOf(sql)).toEqual(expected)
  })

  it('classifies statements, data-modifying CTEs and SELECT INTO, and keeps exact statement text', () => {
    const statements = script(
      "SELECT 'a;b' ; DELETE FROM t; WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d; SELECT 1 INTO x; CREATE TABLE y (a int); DROP TABLE x; SET a = 1; RESET ROLE",
    )
    expect(statements.map((statement) => statement.kind)).toEqual([
      'read',
      'dml',
      'dml',
      'ddl',
      'ddl',
      'destructive_ddl',
      'other',
      'other',
    ])
    expect(statements[0]!.text).toBe("SELECT 'a;b'")
    expect(statements.map((statement) => statement.type)).toContain('reset role')
  })

  it('keeps exact positions in text with multi-byte characters', () => {
    const sql = 'SELECT \'Zürich ☃\' AS "städte", lower(x) FROM "größe".orders'
    const [statement] = script(sql)
    const relation = statement!.relations[0]!
    expect(sql.slice(relation.start, relation.end)).toBe('"größe".orders')
    const edit = statement!.edits[0]!
    expect(sql.slice(edit.start, edit.start + 5)).toBe('lower')
  })

  it('reads what the server reads, and refuses what it cannot parse', () => {
    expect(verdict('SELECT * FROM t WHERE a IS DISTINCT FROM 1')).toBe('allowed')
    expect(verdict('SELECT $x$ dollar ; quoted $x$')).toBe('allowed')
    expect(verdict("SELECT 'unterminated")).toMatch(/not valid PostgreSQL: unterminated quoted string/)
    expect(verdict('SELEC 1')).toMatch(/not valid PostgreSQL: syntax error at or near "SELEC"/)
  })
})

describe('functions: an allow-list, however they are written', () => {
  it.each([
    "SELECT lower(region), count(*), sum(amount) FILTER (WHERE amount > 0), date_trunc('month', d) FROM t GROUP BY 1, 4",
    'SELECT row_number() OVER (PARTITION BY a ORDER BY b), lag(b) OVER w FROM t WINDOW w AS (ORDER BY b)',
    "SELECT extract(year FROM d), d AT TIME ZONE 'UTC', substring(s FROM 1 FOR 2), trim(both 'x' FROM s), position('a' IN s) FROM t",
    "SELECT coalesce(a, 0), nullif(a, 0), greatest(a, b), CASE WHEN a > 0 THEN 'p' END, a::numeric(10,2), CAST(a AS text) FROM t",
    "SELECT jsonb_extract_path_text(j, 'a'), j->>'b', j @> '{}'::jsonb, to_tsvector('english'::regconfig, s) @@ to_tsquery('a') FROM t",
    "SELECT * FROM generate_series(1, 1000) g, generate_series(DATE '2026-01-01', DATE '2026-12-31', INTERVAL '1 day') d",
    "SELECT * FROM generate_series(now() - interval '30 days', now(), '1 hour'::interval)",
    "SELECT pg_catalog.lower('A'), \"lower\"('B'), format('%s-%10s', a, b), repeat('ab', 10), lpad(a::text, 8, '0') FROM t",
    'SELECT x FROM unnest(ARRAY[1,2]) WITH ORDINALITY AS u(x, n) LEFT JOIN LATERAL (SELECT x + 1 AS y) l ON true',
  ])('allows %s', (sql) => {
    expect(verdict(sql)).toBe('allowed')
  })

  it.each([
    ["SELECT * FROM ts_stat('SELECT body FROM hr.employees')", 'ts_stat()', /runs SQL or reads a relation/],
    [
      "SELECT ts_rewrite('a'::tsquery, 'SELECT salary::text::tsquery, ''x''::tsquery FROM hr.employees')",
      'ts_rewrite()',
      /runs SQL/,
    ],
    ["SELECT query_to_xml('SELECT * FROM hr.employees', true, true, '')", 'query_to_xml()', /runs SQL/],
    ["SELECT pg_read_file('/etc/passwd')", 'pg_read_file()', /administration/],
    ["SELECT pg_ls_dir('.')", 'pg_ls_dir()', /administration/],
    ["SELECT set_config('statement_timeout', '0', false)", 'set_config()', /statement timeout/],
    ["SELECT current_setting('data_directory')", 'current_setting()', /settings/],
    ['SELECT pg_sleep(5)', 'pg_sleep()', /holds the query/],
    [
      "SELECT pg_create_physical_replication_slot('x')",
      'pg_create_physical_replication_slot()',
      /administration/,
    ],
    ["SELECT lo_from_bytea(0, 'x')", 'lo_from_bytea()', /large objects/],
    ['SELECT pg_stat_reset()', 'pg_stat_reset()', /administration/],
    ["SELECT pg_notify('c', 'x')", 'pg_notify()', /administration/],
    ['SELECT pg_try_advisory_lock(1)', 'pg_try_advisory_lock()', /administration/],
    ['SELECT * FROM pg_ls_waldir()', 'pg_ls_waldir()', /administration/],
    ['SELECT * FROM pg_show_all_file_settings()', 'pg_show_all_file_settings()', /administration/],
    ['SELECT * FROM pg_stat_get_activity(NULL)', 'pg_stat_get_activity()', /administration/],
    ["SELECT nextval('s')", 'nextval()', /sequence/],
    ["SELECT dblink('host=x', 'SELECT 1')", 'dblink()', /other servers/],
    ['SELECT version()', 'version()', /details of the server/],
    ["SELECT has_table_privilege('hr.employees', 'SELECT')", 'has_table_privilege()', /privileges/],
    ["SELECT to_regclass('hr.employees')", 'to_regclass()', /catalog objects/],
    ["SELECT xpath('/a', '<a/>')", 'xpath()', /XML/],
    // Spellings that resolve to the same function.
    ["SELECT pg_catalog.ts_stat('SELECT 1')", 'pg_catalog.ts_stat()', /runs SQL/],
    ['SELECT "pg_catalog"."pg_sleep"(1)', 'pg_catalog.pg_sleep()', /holds the query/],
    ['SELECT PG_CATALOG.PG_SLEEP(1)', 'pg_catalog.pg_sleep()', /holds the query/],
    ['SELECT "LOWER"(a) FROM t', 'LOWER()', /not on the gateway's list/],
    ['SELECT public.lower(a) FROM t', 'public.lower()', /defined in the schema "public"/],
    ['SELECT x.y.lower(a) FROM t', 'x.y.lower()', /database-qualified/],
    ['SELECT factorial(100000)', 'factorial()', /grows without bound/],
  ])('refuses %s', (sql, subject, why) => {
    const message = verdict(sql)
    expect(message).toContain(`${subject} is not allowed`)
    expect(message).toMatch(why)
    expect(message).toMatch(/Nothing was run\.$/)
  })

  it.each([
    ['a function argument', "SELECT lower(ts_stat('SELECT 1')::text)"],
    ['a CTE', "WITH x AS (SELECT * FROM ts_stat('SELECT 1')) SELECT * FROM x"],
    ['a subquery in WHERE', "SELECT 1 WHERE 1 IN (SELECT nentry FROM ts_stat('SELECT 1'))"],
    ['ORDER BY', 'SELECT a FROM t ORDER BY pg_sleep(1)'],
    ['a window', 'SELECT sum(a) OVER (ORDER BY pg_sleep(1)) FROM t'],
    ['an aggregate FILTER', 'SELECT count(*) FILTER (WHERE pg_sleep(1) IS NULL) FROM t'],
    ['ROWS FROM', "SELECT * FROM ROWS FROM (generate_series(1, 2), pg_ls_dir('.'))"],
    ['VALUES', "VALUES (pg_read_file('x'))"],
    ['RETURNING', "INSERT INTO scratch.t (a) VALUES (1) RETURNING pg_read_file('x')"],
    [
      'ON CONFLICT',
      'INSERT INTO scratch.t (a) VALUES (1) ON CONFLICT (a) DO UPDATE SET a = pg_backend_pid()',
    ],
    ['a column DEFAULT', "CREATE TABLE scratch.t (a text DEFAULT pg_read_file('x'))"],
    ['a CHECK constraint', 'CREATE TABLE scratch.t (a int CHECK (pg_sleep(1) IS NULL))'],
    ['an index expression', "CREATE INDEX ON scratch.t ((pg_read_file('x')))"],
    ['a view', "CREATE VIEW scratch.v AS SELECT pg_read_file('x')"],
    [
      'a JSON_TABLE',
      "SELECT * FROM JSON_TABLE(jsonb '[1]', '$[*]' COLUMNS (a text PATH '$' DEFAULT pg_read_file('x') ON EMPTY))",
    ],
    ['a named argument', 'SELECT make_interval(days => pg_backend_pid())'],
  ])('finds a refused function in %s', (_, sql) => {
    expect(verdict(sql)).toMatch(/is not allowed, because/)
  })

  it('runs unqualified built-ins as pg_catalog functions, so nothing of the same name can be picked instead', () => {
    const [statement] = script('SELECT lower(a), "upper"(b), pg_catalog.abs(c), count(*) FROM t')
    const sql = 'SELECT lower(a), "upper"(b), pg_catalog.abs(c), count(*) FROM t'
    expect(statement!.edits.map((edit) => sql.slice(edit.start, edit.start + 7))).toEqual([
      'lower(a',
      '"upper"',
      'count(*',
    ])
  })

  it('lets the operator extend the list per database, exactly as written', () => {
    const policy = extensionPolicy(['st_distance', 'postgis.*', 'geometry', '<#>'])
    const options = { ...UNTRUSTED, policy }
    expect(
      verdict('SELECT st_distance(a, b), postgis.st_area(a), a::geometry, a <#> b FROM t', options),
    ).toBe('allowed')
    expect(verdict('SELECT other.st_distance(a, b) FROM t', options)).toMatch(/defined in the schema "other"/)
    expect(verdict('SELECT pg_sleep(1)', options)).toMatch(/holds the query/)
  })
})

describe('types, operators and constructs', () => {
  it.each([
    ["SELECT 'hr.employees'::regclass", /the type regclass is not allowed, because casts to reg\* types/],
    ["SELECT CAST('lower' AS regproc)", /the type regproc is not allowed/],
    ['SELECT \'x\'::"regclass"', /the type regclass is not allowed/],
    ["SELECT pg_stat_get_live_tuples('hr.employees'::regclass)", /not allowed/],
    ["SELECT '<a/>'::xml", /the type xml is not allowed, because XML/],
    ['SELECT NULL::hr.employees', /the type hr.employees is not allowed/],
    ['CREATE TABLE scratch.t OF hr.employees', /the type hr.employees is not allowed/],
    ['SELECT 1 OPERATOR(public.+) 2', /the operator OPERATOR\(public\.\+\) is not allowed/],
    ['SELECT a <#> b FROM t', /the operator <#> is not allowed/],
    ["SELECT XMLPARSE(DOCUMENT '<a/>')", /XML functions/],
    ["SELECT * FROM XMLTABLE('/a' PASSING '<a/>' COLUMNS b int)", /XMLTABLE/],
    ['SELECT $1', /\$1 is not allowed/],
    ['SELECT * FROM t TABLESAMPLE system_rows (10)', /TABLESAMPLE system_rows/],
    ['CREATE SEQUENCE scratch.s OWNED BY hr.employees.employee_id', /OWNED BY/],
    ['SELECT a FROM db.sales.orders', /database-qualified names/],
  ])('%s', (sql, message) => {
    expect(verdict(sql)).toMatch(message)
  })

  it('allows the built-in value types and sampling methods', () => {
    expect(
      verdict(
        "SELECT a::int, a::bigint, a::double precision, a::varchar(3), a::timestamptz, a::date[], '1 day'::interval, a::uuid, a::jsonb FROM t TABLESAMPLE bernoulli (10)",
      ),
    ).toBe('allowed')
  })
})

describe('sizes known before anything runs', () => {
  it.each([
    ['SELECT * FROM generate_series(1, 1e9)', /this call would produce 1,000,000,000 rows/],
    ['SELECT generate_series(1, 2000000)', /2,000,000 rows/],
    ['SELECT * FROM generate_series(1, (SELECT max(a) FROM t))', /start and stop are not constants/],
    ['SELECT * FROM generate_series(1, 10, 0)', /its step is zero/],
    [
      "SELECT * FROM generate_series('2000-01-01'::timestamp, '2026-01-01'::timestamp, '1 second'::interval)",
      /rows/,
    ],
    ["SELECT * FROM generate_series(now(), now() + interval '100 years', interval '1 minute')", /rows/],
    // Bounds read exactly: in doubles 1e30 + 2000000 is 1e30, and the series looked like one row.
    ['SELECT count(*) FROM generate_series(1e30, 1e30 + 2000000)', /2,000,001 rows/],
    ['SELECT count(*) FROM generate_series(9007199254740993, 9007199254740993 + 1500000)', /1,500,001 rows/],
    ['SELECT count(*) FROM generate_series(0, 1, 0.0000001)', /10,000,001 rows/],
    // A month forward and 29 days back: some steps move forward, some back; no bound on the rows.
    [
      "SELECT count(*) FROM generate_series(now(), now() + interval '1 year', interval '1 month -29 days')",
      /mixes forward and backward parts/,
    ],
    ["SELECT repeat('x', 1000000000)", /1,000,000,000 characters/],
    ['SELECT repeat(a, b) FROM t', /repeat needs a constant count/],
    ["SELECT lpad('x', 2147483647)", /2,147,483,647 characters/],
    ["SELECT format('%2000000s', 'x')", /2,000,0\d\d characters/],
    ["SELECT format('%*s', 1000000000, 'x')", /widths taken from arguments/],
    ['SELECT format(a, b) FROM t', /constant format string/],
    // The server reads any number of '-' flags, and a position before them.
    ["SELECT format('%--1000000s', 'x')", /1,000,0\d\d characters/],
    ["SELECT format('%1$---1000000s', 'x')", /1,000,0\d\d characters/],
    ["SELECT format('%q', 'x')", /not a format\(\) type/],
  ])('%s', (sql, message) => {
    expect(verdict(sql)).toMatch(message)
  })

  // Each of these allocated 100 MB or more per row before the statement timeout could stop it.
  it.each([
    ["SELECT repeat(repeat('x', 100000), 1000)", /100,000,000 characters/],
    ["SELECT length(repeat(repeat('ab', 50000), 1000))", /100,000,000 characters/],
    ["SELECT replace(repeat('x', 50000), 'x', repeat('y', 100))", /5,050,000 characters/],
    ["SELECT regexp_replace(repeat('x', 50000), 'x', repeat('\\&', 100), 'g')", /characters/],
    ["SELECT concat(repeat('x', 60000), repeat('y', 60000))", /120,000 characters/],
    ["SELECT repeat('x', 60000) || repeat('y', 60000)", /120,000 characters/],
    ["SELECT 'x'::char(10000000)", /char\(10000000\).*10,000,000 characters/],
    ['SELECT power(10::numeric, 200000)::text', /characters/],
    [
      "SELECT string_agg(repeat('x', 100000), '') FROM generate_series(1, 1000)",
      /aggregates rows of up to 100,000/,
    ],
    [
      "SELECT array_to_string(ARRAY(SELECT repeat('x', 100000) FROM generate_series(1, 10000)), '')",
      /aggregates rows/,
    ],
    ["SELECT count(*) FROM string_to_table(repeat(repeat('x,', 50000), 100), ',')", /characters/],
    ["SELECT count(*) FROM unnest(string_to_array(repeat(repeat('x,', 50000), 100), ','))", /characters/],
    [
      "SELECT count(*) FROM jsonb_array_elements(('[' || repeat(repeat('1,', 50000), 10) || '1]')::jsonb)",
      /characters/,
    ],
    // What one query generates counts where another reads it.
    ["WITH a AS (SELECT repeat('x', 100000) AS v) SELECT repeat(v, 100) FROM a", /10,000,000 characters/],
    ["SELECT repeat(s.v, 100) FROM (SELECT repeat('x', 100000) AS v) s", /10,000,000 characters/],
    ["SELECT repeat((SELECT repeat('x', 100000)), 10)", /1,000,000 characters/],
    [
      "SELECT repeat(b.v, 10) FROM (SELECT repeat('x', 50000) AS v) a, LATERAL (SELECT repeat(a.v, 2) AS v) b",
      /1,000,000 characters/,
    ],
    // Found by a second attack on the sizes (each ran past 10 MB before it was refused).
    ['SELECT length(repeat((@ 1)::text, 50000000))', /characters/],
    ['SELECT length(repeat((|/ 100)::text, 20000000))', /characters/],
    [
      "SELECT length(repeat((q && q)::text, 500)) FROM (SELECT (repeat('x&', 8000) || 'x')::tsquery AS q) s",
      /characters/,
    ],
    ["SELECT length(B'1'::bit(83886080)::text)", /bit\(83886080\)/],
    ["SELECT length(repeat('1'::numeric(1000,999)::text, 50000))", /characters/],
    ['SELECT length(repeat(1e1000::text, 16000))', /characters/],
    [
      "SELECT length(ltrim(ltrim(ltrim(ltrim(ltrim(ltrim(ltrim(ltrim(ltrim(repeat('x', 1000)::bytea::text, '\\x')::bytea::text, '\\x')::bytea::text, '\\x')::bytea::text, '\\x')::bytea::text, '\\x')::bytea::text, '\\x')::bytea::text, '\\x')::bytea::text, '\\x')::bytea::text, '\\x'))",
      /characters/,
    ],
    [
      `SELECT length(v::text) FROM (SELECT ${Array.from({ length: 40 }, (_, i) => `repeat('x', 5000) AS a${i}`).join(', ')}) v`,
      /200,\d{3} characters/,
    ],
    [
      `SELECT length(to_jsonb(v)::text) FROM (SELECT ${Array.from({ length: 40 }, (_, i) => `repeat('x', 5000) AS a${i}`).join(', ')}) v`,
      /characters/,
    ],
    [
      `SELECT length(jsonb_path_query_array('{"a":"xxxxxxxxxx"}'::jsonb, '$${'[0,0]'.repeat(21)}')::text)`,
      /subscript lists or ranges/,
    ],
    ["SELECT jsonb_path_query_array(a::jsonb, '$.**') FROM t", /\*\* \(any depth\)/],
    ['SELECT jsonb_path_query(a::jsonb, b::jsonpath) FROM t', /constant JSON path/],
    [
      `SELECT count(*) FROM JSON_TABLE('{"a":1}'::jsonb, '$${'[0,0]'.repeat(18)}' COLUMNS (a int PATH '$.a')) jt`,
      /JSON_TABLE.*subscript lists/,
    ],
    [`SELECT JSON_QUERY('{"a":1}'::jsonb, '$${'[0,0]'.repeat(18)}' WITH WRAPPER)`, /subscript lists/],
    [
      `SELECT length(regexp_match(repeat('x', 20000), '${'('.repeat(100)}x*${')'.repeat(100)}')::text)`,
      /characters/,
    ],
    ['SELECT regexp_matches(a, b) FROM t', /constant pattern/],
    [
      "SELECT count(*) FROM generate_series('2026-01-01T00:00-12:00'::timestamp, '2026-01-02T00:00+14:00'::timestamp, '1 microsecond'::interval)",
      /rows/,
    ],
    [
      "SELECT count(*) FROM generate_series('2026-01-01'::timestamp, '2026-01-01'::timestamp + interval '1 second', '1.49 microseconds'::interval)",
      /rows/,
    ],
    // A recursive WITH query that doubles its value each round (33 MB after 25 rounds).
    [
      "WITH RECURSIVE t(s, n) AS (SELECT 'x'::text, 0 UNION ALL SELECT s || s, n + 1 FROM t WHERE n < 25) SELECT max(length(s)) FROM t",
      /recursive WITH query t.*double every round/,
    ],
    [
      "WITH RECURSIVE t(a, b, n) AS (SELECT 'x', 'y', 0 UNION ALL SELECT t.a || t.b, t.a || t.b, n + 1 FROM t WHERE n < 30) SELECT count(*) FROM t",
      /double every round/,
    ],
    [
      "WITH RECURSIVE t(s, n) AS (SELECT '', 0 UNION ALL SELECT s || repeat('x', 50000), n + 1 FROM t WHERE n < 20000) SELECT count(*) FROM t",
      /each round could add 50,000 generated characters/,
    ],
    // Values the statement reads, amplified.
    ['SELECT repeat(a, 1000) FROM t', /1,000 copies of a value it reads; at most 100/],
    ["SELECT replace(a, 'x', b) FROM t", /multiplies two values/],
  ])('refuses %s', (sql, message) => {
    expect(verdict(sql)).toMatch(message)
  })

  it('refuses the same in a chart expression', () => {
    expect(() => expression("max(repeat(repeat('x', 100000), 1000))")).toThrow(/100,000,000 characters/)
    expect(() => expression("string_agg(repeat('x', 5000), ',')")).toThrow(/aggregates rows/)
  })

  it.each([
    "SELECT repeat('ab', 10), lpad(a::text, 8, '0'), format('%s-%10s', a, b) FROM t",
    "SELECT string_agg(a, ', ' ORDER BY a), array_agg(DISTINCT b), jsonb_agg(jsonb_build_object('a', a)) FROM t",
    "SELECT upper(a) || ' (' || b || ')', concat_ws(', ', a, b, c), initcap(trim(a)) FROM t",
    "SELECT power(1 + a, b), round(avg(c), 2), to_char(d, 'YYYY-MM'), exp(2) FROM t GROUP BY a, b",
    "SELECT regexp_replace(a, '(\\d+)', '<\\1>', 'g'), replace(a, ',', '; '), translate(a, 'ab', 'xy') FROM t",
    "SELECT length(repeat('x', 100000)), md5(repeat('y', 100000))",
    'SELECT * FROM generate_series(1, 1000000)',
    'SELECT count(*) FROM generate_series(0, 1, 0.00001)',
    "SELECT * FROM generate_series(now() - interval '1 year', now(), interval '1 month 2 days')",
    'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10) SELECT * FROM r',
    "SELECT s.v, count(*) FROM (SELECT lower(a) AS v FROM t) s, unnest(string_to_array(s.v, ',')) u GROUP BY 1",
    "SELECT CASE WHEN a > 0 THEN repeat('+', 50) ELSE repeat('-', 50) END, coalesce(b, 'none') FROM t",
    // A hierarchy walked by a recursive WITH query, building paths.
    "WITH RECURSIVE tree(id, path) AS (SELECT a, b FROM t WHERE c IS NULL UNION ALL SELECT t.a, tree.path || '/' || t.b FROM t JOIN tree ON t.c = tree.id) SELECT * FROM tree",
    // Calendar series as analysts write them.
    "SELECT d FROM generate_series('2024-01-01'::date, '2024-12-31'::date, '1 day') d",
    "SELECT d FROM generate_series(current_date - 30, current_date, interval '1 day') d",
    "SELECT m FROM generate_series(date_trunc('month', now()) - interval '11 months', date_trunc('month', now()), interval '1 month') m",
    "SELECT ts_headline('english', a, websearch_to_tsquery('english', b)), ts_headline(a, to_tsquery('x'), 'StartSel=<em>, StopSel=</em>') FROM t",
    "SELECT jsonb_path_query_first(a::jsonb, '$.items[*].price'), JSON_VALUE(a::jsonb, '$.name') FROM t",
    "SELECT (regexp_match(a, '(\\d+)-(\\d+)'))[1], a::text || b::text, s.v FROM t, (SELECT lower(c) AS v FROM t) s",
  ])('allows %s', (sql) => {
    expect(verdict(sql)).toBe('allowed')
  })

  it('knows the size of everything on the allow-list', () => {
    expect([...ALLOWED_FUNCTIONS].filter((name) => !SIZED_FUNCTIONS.has(name))).toEqual([])
  })
})

describe('what a statement may not learn about the connection', () => {
  it.each([
    ['SELECT current_user', /CURRENT_USER is not allowed, because it reveals the database role/],
    ['SELECT session_user', /SESSION_USER/],
    ['SELECT current_role', /CURRENT_ROLE/],
    ['SELECT user', /USER/],
    ['SELECT current_catalog', /CURRENT_CATALOG/],
    ['SELECT ctid, a FROM t', /the system column ctid is not allowed/],
    ['SELECT t.xmin FROM t', /the system column xmin/],
    ['SELECT count(*) FROM t GROUP BY tableoid', /the system column tableoid/],
    ['SELECT get_current_ts_config()', /reads a server setting/],
    ["SELECT jsonb_pretty('[1]')", /grows with the square/],
  ])('%s', (sql, message) => {
    expect(verdict(sql)).toMatch(message)
  })

  it('still allows the date, time and schema value functions', () => {
    expect(verdict('SELECT current_date, current_timestamp, localtimestamp, current_schema')).toBe('allowed')
  })
})

describe('expressions placed in the gateway query', () => {
  it('returns the expression as it will run', () => {
    expect(expression(' sum(amount) / count(DISTINCT customer_id) ')).toBe(
      'pg_catalog.sum(amount) / pg_catalog.count(DISTINCT customer_id)',
    )
    expect(expression('(a) + (b)')).toBe('(a) + (b)')
  })

  it.each([
    ['1) FROM hr.employees WHERE (true', /reaches beyond its own parentheses/],
    ['1) AS x, (salary', /reaches beyond its own parentheses/],
    ['1) UNION SELECT (2', /reaches beyond its own parentheses/],
    ['1); DELETE FROM t; SELECT (1', /statement separator/],
    ['1 -- the rest is gone', /comment/],
    ['1 /* c */', /comment/],
    ['$1', /\$1 is not allowed/],
    ["'unterminated", /unterminated quoted string/],
    ['', /it is empty/],
    ['{{ current_username() }}', /Jinja/],
    ['(SELECT max(salary) FROM hr.employees)', /subqueries are not allowed/],
    ["max(ts_stat('SELECT 1')::text)", /ts_stat\(\) is not allowed/],
    ['sum(pg_sleep(5)::text::int)', /pg_sleep\(\) is not allowed/],
    ["count(*) FILTER (WHERE set_config('statement_timeout', '0', false) IS NOT NULL)", /set_config/],
    ["'hr.employees'::regclass::oid", /regclass/],
  ])('refuses the ad-hoc expression %s', (text, message) => {
    expect(() => expression(text)).toThrow(message)
  })

  it('trusts what Superset authors wrote (saved metrics, RLS clauses) for what it calls, never for its shape', () => {
    const trusted = { trusted: true, allowSubqueries: true, origin: 'saved metric' as const }
    expect(expression('(SELECT max(x) FROM t)', trusted)).toBe('(SELECT max(x) FROM t)')
    expect(expression("my_udf(a) + 'x'::regclass::oid", trusted)).toBe("my_udf(a) + 'x'::regclass::oid")
    expect(() => expression('1) FROM hr.employees WHERE (true', trusted)).toThrow(
      /beyond its own parentheses/,
    )
    expect(() => expression('1 -- x', trusted)).toThrow(/comment/)
    expect(() => expression('$1', trusted)).toThrow(/\$1 is not allowed/)
  })

  it('names the expression in the refusal', () => {
    expect(() => expression('pg_sleep(1)', { origin: 'ad-hoc WHERE filter', name: 'slow' })).toThrow(
      // The name is quoted as user-written text (src/markers.ts quoteAuthored): marked over MCP.
      'The ad-hoc WHERE filter \uE000slow\uE001 cannot be used: pg_sleep() is not allowed, because it holds the query and its connection.',
    )
  })
})

describe('the allow-list, checked against the database itself', () => {
  // Added after PostgreSQL 15 (the CI server); PGlite (PostgreSQL 17) has them all.
  const NEWER_THAN_15 = new Set([
    'any_value',
    'array_sample',
    'array_shuffle',
    'date_add',
    'date_subtract',
    'json_agg_strict',
    'json_object_agg_strict',
    'json_object_agg_unique',
    'json_object_agg_unique_strict',
    'jsonb_agg_strict',
    'jsonb_object_agg_strict',
    'jsonb_object_agg_unique',
    'jsonb_object_agg_unique_strict',
    'random_normal',
    'to_bin',
    'to_oct',
    'uuid_extract_timestamp',
    'uuid_extract_version',
  ])

  it('names functions that exist in pg_catalog, none of which takes a reg* argument (but text search configurations), returns void or changes anything', async () => {
    const names = [...ALLOWED_FUNCTIONS].sort()
    const rows = await withAnalyticsSuperuser((db) =>
      db.query<{
        proname: string
        volatile: boolean
        reg_args: boolean
        returns_void: boolean
        secdef: boolean
      }>(sql`
        SELECT p.proname, p.provolatile = 'v' AS volatile, p.prosecdef AS secdef,
               p.prorettype = 'void'::regtype AS returns_void,
               EXISTS (SELECT 1 FROM unnest(p.proargtypes::oid[]) a(t) JOIN pg_type ty ON ty.oid = a.t
                        WHERE ty.typname LIKE 'reg%' AND ty.typname <> 'regconfig') AS reg_args
          FROM pg_proc p WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.proname = ANY(${names}::text[])`),
    )
    const found = new Set(rows.map((row) => row.proname))
    const missing = names.filter((name) => !found.has(name))
    if (inject('stack').engine === 'pglite') expect(missing).toEqual([])
    else expect(missing.filter((name) => !NEWER_THAN_15.has(name))).toEqual([])
    expect(rows.filter((row) => row.reg_args).map((row) => row.proname)).toEqual([])
    expect(rows.filter((row) => row.returns_void || row.secdef).map((row) => row.proname)).toEqual([])
    const volatile = [...new Set(rows.filter((row) => row.volatile).map((row) => row.proname))].sort()
    expect(volatile.filter((name) => !VOLATILE_ALLOWED.has(name))).toEqual([])
  })

  it('names types that exist in pg_catalog', async () => {
    const rows = await withAnalyticsSuperuser((db) =>
      db.query<{ typname: string }>(sql`
        SELECT typname FROM pg_type WHERE typnamespace = 'pg_catalog'::regnamespace AND typname = ANY(${[...ALLOWED_TYPES]}::text[])`),
    )
    expect(new Set(rows.map((row) => row.typname))).toEqual(ALLOWED_TYPES)
  })
})
