-- =============================================================================
-- Demo analytics database ("examples" on host "analytics" in the Superset demo).
-- Schemas: sales, marketing, hr, finance, scratch.
-- Fully deterministic: every value is arithmetic on the generate_series index
-- (no random(), no now()).  Runs on PostgreSQL >= 13 and PGlite.
-- Apply once to an empty database.  See README.md for hand-checkable facts.
-- Conventions used below:
--   regions(k)   = (ARRAY['EMEA','NA','APAC','LATAM'])[1 + k % 4]
--   customer c  -> region = regions(c)          (c = 1..200)
--   order i     -> customer_id = 1 + (i * 7919) % 200, region = customer's region,
--                  product_id = 1 + (i * 31) % 40, quantity = 1 + (i * 7) % 5,
--                  channel = (Online,Retail,Partner,Phone)[1 + (i + i / 4) % 4],
--                  sales_rep = reps[1 + (i * 3 + i / 40) % 5], reps = lena,bob,ivan,frank,kim
-- =============================================================================

CREATE SCHEMA sales;
CREATE SCHEMA marketing;
CREATE SCHEMA hr;
CREATE SCHEMA finance;
CREATE SCHEMA scratch;

-- -----------------------------------------------------------------------------
-- sales.products (40 rows)
-- -----------------------------------------------------------------------------
CREATE TABLE sales.products (
    product_id    INTEGER PRIMARY KEY,
    product_name  VARCHAR(128) NOT NULL,
    category      VARCHAR(32)  NOT NULL,
    subcategory   VARCHAR(64)  NOT NULL,
    list_price    NUMERIC(10, 2) NOT NULL,
    unit_cost     NUMERIC(10, 2) NOT NULL,
    launched_on   DATE NOT NULL,
    is_active     BOOLEAN NOT NULL
);

INSERT INTO sales.products
SELECT p,
       (ARRAY['Aurora','Summit','Nimbus','Vertex','Harbor','Quartz','Cedar','Pulse','Orbit','Atlas'])[1 + (p - 1) % 10]
         || ' ' ||
       (ARRAY[ARRAY['Laptop','Headset'], ARRAY['Kettle','Desk Lamp'],
              ARRAY['Tent','Backpack'],  ARRAY['Office Chair','Notebook']])[1 + p % 4][1 + (p / 4) % 2]
         || ' ' || to_char(p, 'FM00'),
       (ARRAY['Electronics','Home','Outdoors','Office'])[1 + p % 4],
       (ARRAY[ARRAY['Computers','Audio'], ARRAY['Kitchen','Lighting'],
              ARRAY['Camping','Bags'],    ARRAY['Furniture','Stationery']])[1 + p % 4][1 + (p / 4) % 2],
       (19 + (p * 37) % 180)::numeric + 0.99,
       round(((19 + (p * 37) % 180)::numeric + 0.99) * 0.55, 2),
       DATE '2022-01-01' + (p * 23),
       p % 13 <> 0
FROM generate_series(1, 40) AS p;

-- -----------------------------------------------------------------------------
-- sales.customers (200 rows; customers 50, 100, 150, 200 are test accounts)
-- -----------------------------------------------------------------------------
CREATE TABLE sales.customers (
    customer_id      INTEGER PRIMARY KEY,
    customer_name    VARCHAR(128) NOT NULL,
    email            VARCHAR(255) NOT NULL,
    segment          VARCHAR(32)  NOT NULL,
    region           VARCHAR(16)  NOT NULL,
    country          VARCHAR(64)  NOT NULL,
    city             VARCHAR(64)  NOT NULL,
    signup_date      DATE NOT NULL,
    is_test_account  BOOLEAN NOT NULL
);

INSERT INTO sales.customers
SELECT c,
       (ARRAY['Ada','Ben','Chloe','Diego','Emma','Farid','Greta','Hiro','Isla','Jonas',
              'Kofi','Lucia','Mateo','Nora','Omar','Priya','Quinn','Rosa','Sven','Tara'])[1 + c % 20]
         || ' ' ||
       (ARRAY['Okafor','Schmidt','Tanaka','Silva','Novak','Dubois','Rossi','Kim','Haddad','Larsen',
              'Moreau','Ortega','Patel','Quispe','Reyes','Sato','Turner','Urban','Vega','Weber'])[1 + (c * 7) % 20],
       'customer' || to_char(c, 'FM000') || '@' ||
         (ARRAY['example.com','example.org','example.net'])[1 + c % 3],
       (ARRAY['Enterprise','SMB','Consumer'])[1 + c % 3],
       (ARRAY['EMEA','NA','APAC','LATAM'])[1 + c % 4],
       (ARRAY[ARRAY['Germany','France','United Kingdom'],
              ARRAY['United States','Canada','United States'],
              ARRAY['Japan','Australia','Singapore'],
              ARRAY['Brazil','Mexico','Argentina']])[1 + c % 4][1 + (c / 4) % 3],
       (ARRAY[ARRAY['Berlin','Paris','London'],
              ARRAY['New York','Toronto','Chicago'],
              ARRAY['Tokyo','Sydney','Singapore'],
              ARRAY['Sao Paulo','Mexico City','Buenos Aires']])[1 + c % 4][1 + (c / 4) % 3],
       DATE '2023-01-01' + (c * 3),
       c % 50 = 0
FROM generate_series(1, 200) AS c;

-- -----------------------------------------------------------------------------
-- sales.orders (3000 rows, order_date 2025-01-01 .. 2026-06-30)
-- order_date = 2025-01-01 + ((i - 1) * 546) / 3000 days (integer division)
-- -----------------------------------------------------------------------------
CREATE TABLE sales.orders (
    order_id     BIGINT PRIMARY KEY,
    order_date   DATE NOT NULL,
    ordered_at   TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    customer_id  INTEGER NOT NULL REFERENCES sales.customers (customer_id),
    product_id   INTEGER NOT NULL REFERENCES sales.products (product_id),
    region       VARCHAR(16)  NOT NULL,
    country      VARCHAR(64)  NOT NULL,
    channel      VARCHAR(32)  NOT NULL,
    status       VARCHAR(16)  NOT NULL,
    quantity     INTEGER NOT NULL,
    unit_price   NUMERIC(10, 2) NOT NULL,
    order_total  NUMERIC(12, 2) NOT NULL,
    discount     NUMERIC(12, 2) NOT NULL,
    sales_rep    VARCHAR(64)  NOT NULL
);

INSERT INTO sales.orders
SELECT 100000 + g.i,
       g.d,
       g.d + make_interval(hours => 8 + (g.i * 5) % 12, mins => (g.i * 13) % 60),
       g.cust,
       g.prod,
       c.region,
       c.country,
       (ARRAY['Online','Retail','Partner','Phone'])[1 + (g.i + g.i / 4) % 4],
       CASE WHEN g.i % 23 = 0 THEN 'cancelled'
            WHEN g.i % 17 = 0 THEN 'returned'
            WHEN g.d >= DATE '2026-06-24' THEN 'pending'
            ELSE 'completed' END,
       g.qty,
       p.list_price,
       g.qty * p.list_price,
       CASE WHEN g.i % 10 = 0 THEN round(g.qty * p.list_price * 0.10, 2) ELSE 0 END,
       (ARRAY['lena','bob','ivan','frank','kim'])[1 + (g.i * 3 + g.i / 40) % 5]
FROM (
    SELECT i,
           DATE '2025-01-01' + ((i - 1) * 546) / 3000 AS d,
           1 + (i * 7919) % 200 AS cust,
           1 + (i * 31) % 40 AS prod,
           1 + (i * 7) % 5 AS qty
    FROM generate_series(1, 3000) AS i
) AS g
JOIN sales.customers c ON c.customer_id = g.cust
JOIN sales.products  p ON p.product_id  = g.prod;

CREATE INDEX orders_order_date_idx ON sales.orders (order_date);
CREATE INDEX orders_customer_idx ON sales.orders (customer_id);

-- -----------------------------------------------------------------------------
-- marketing.campaigns (24 rows)
-- -----------------------------------------------------------------------------
CREATE TABLE marketing.campaigns (
    campaign_id    INTEGER PRIMARY KEY,
    campaign_name  VARCHAR(128) NOT NULL,
    channel        VARCHAR(32)  NOT NULL,
    region         VARCHAR(16)  NOT NULL,
    start_date     DATE NOT NULL,
    end_date       DATE NOT NULL,
    budget         NUMERIC(12, 2) NOT NULL,
    spend          NUMERIC(12, 2) NOT NULL,
    impressions    BIGINT NOT NULL,
    clicks         BIGINT NOT NULL,
    conversions    INTEGER NOT NULL
);

INSERT INTO marketing.campaigns
SELECT k,
       (ARRAY['Spring Launch','Summer Sale','Back to School','Black Friday','Holiday Push','New Year Kickoff'])[1 + (k - 1) % 6]
         || ' ' || (2025 + (k - 1) / 12)::text || ' - ' || (ARRAY['EMEA','NA','APAC','LATAM'])[1 + k % 4],
       (ARRAY['Email','Paid Search','Social','Display'])[1 + (k * 3) % 4],
       (ARRAY['EMEA','NA','APAC','LATAM'])[1 + k % 4],
       DATE '2025-01-06' + (k - 1) * 21,
       DATE '2025-01-06' + (k - 1) * 21 + 27,
       (5000 + (k * 1250) % 20000)::numeric,
       round((5000 + (k * 1250) % 20000)::numeric * (0.70 + (k % 5) * 0.06), 2),
       100000 + (k * 7919) % 400000,
       2000 + (k * 613) % 9000,
       50 + (k * 97) % 400
FROM generate_series(1, 24) AS k;

-- -----------------------------------------------------------------------------
-- marketing.web_sessions (5000 rows, session_start 2025-01-01 .. 2026-06-30)
-- -----------------------------------------------------------------------------
CREATE TABLE marketing.web_sessions (
    session_id        BIGINT PRIMARY KEY,
    session_start     TIMESTAMP WITHOUT TIME ZONE NOT NULL,
    customer_id       INTEGER,
    campaign_id       INTEGER REFERENCES marketing.campaigns (campaign_id),
    device            VARCHAR(16)  NOT NULL,
    browser           VARCHAR(32)  NOT NULL,
    country           VARCHAR(64)  NOT NULL,
    landing_page      VARCHAR(255) NOT NULL,
    pageviews         INTEGER NOT NULL,
    duration_seconds  INTEGER NOT NULL,
    converted         BOOLEAN NOT NULL
);

INSERT INTO marketing.web_sessions
SELECT s,
       TIMESTAMP '2025-01-01 00:00:00'
         + make_interval(days => ((s - 1) * 546) / 5000, hours => (s * 7) % 24, mins => (s * 11) % 60),
       CASE WHEN s % 3 = 0 THEN NULL ELSE 1 + (s * 13) % 200 END,
       CASE WHEN s % 4 = 0 THEN NULL ELSE 1 + (s * 5) % 24 END,
       (ARRAY['desktop','mobile','tablet'])[1 + (s * 7) % 3],
       (ARRAY['Chrome','Safari','Firefox','Edge'])[1 + (s * 3) % 4],
       (ARRAY['Germany','United States','Japan','Brazil','France','Canada','Australia','Mexico'])[1 + s % 8],
       (ARRAY['/','/pricing','/products','/blog/analytics-101','/signup','/contact'])[1 + (s * 5) % 6],
       1 + (s * 7) % 12,
       15 + (s * 37) % 900,
       s % 9 = 0
FROM generate_series(1, 5000) AS s;

-- -----------------------------------------------------------------------------
-- hr.employees (60 rows) -- sensitive
-- department = depts[1 + e % 6]: Finance, Marketing, Sales, Engineering, HR, Operations
-- -----------------------------------------------------------------------------
CREATE TABLE hr.employees (
    employee_id   INTEGER PRIMARY KEY,
    full_name     VARCHAR(128) NOT NULL,
    email         VARCHAR(255) NOT NULL,
    department    VARCHAR(32)  NOT NULL,
    job_title     VARCHAR(64)  NOT NULL,
    manager_id    INTEGER,
    hire_date     DATE NOT NULL,
    salary        NUMERIC(12, 2) NOT NULL,
    bonus_pct     NUMERIC(5, 2) NOT NULL,
    location      VARCHAR(64) NOT NULL,
    is_active     BOOLEAN NOT NULL
);

INSERT INTO hr.employees
SELECT e,
       (ARRAY['Alex','Bea','Carlos','Dana','Eli','Fatima','Gus','Hana','Ivo','Jade',
              'Karl','Lin','Mia','Nils','Olga','Pavel','Rhea','Sam','Tomas','Uma'])[1 + e % 20]
         || ' ' ||
       (ARRAY['Adams','Berg','Costa','Dietrich','Evans','Fischer','Garcia','Holm','Ito','Jensen',
              'Klein','Lopez','Meyer','Nakamura','Olsen','Pereira'])[1 + (e * 3) % 16],
       'employee' || to_char(e, 'FM00') || '@corp.example.com',
       (ARRAY['Finance','Marketing','Sales','Engineering','HR','Operations'])[1 + e % 6],
       (ARRAY['Analyst','Senior Analyst','Manager','Specialist','Lead'])[1 + (e * 7) % 5],
       CASE WHEN e <= 6 THEN NULL ELSE 1 + e % 6 END,
       DATE '2016-03-01' + (e * 61),
       (52000 + ((e * 7919) % 61) * 1000)::numeric,
       (2 + e % 4 * 2.5)::numeric(5, 2),
       (ARRAY['Berlin','New York','Singapore','Sao Paulo','London'])[1 + e % 5],
       e % 15 <> 0
FROM generate_series(1, 60) AS e;

-- -----------------------------------------------------------------------------
-- finance.gl_entries (1200 rows, posting_date 2025-01-01 .. 2026-06-29)
-- -----------------------------------------------------------------------------
CREATE TABLE finance.gl_entries (
    entry_id      BIGINT PRIMARY KEY,
    journal_id    VARCHAR(20)  NOT NULL,
    posting_date  DATE NOT NULL,
    account_code  VARCHAR(16)  NOT NULL,
    account_name  VARCHAR(128) NOT NULL,
    cost_center   VARCHAR(32)  NOT NULL,
    region        VARCHAR(16)  NOT NULL,
    debit         NUMERIC(14, 2) NOT NULL,
    credit        NUMERIC(14, 2) NOT NULL,
    currency      VARCHAR(3)   NOT NULL,
    description   TEXT
);

INSERT INTO finance.gl_entries
SELECT n,
       'JE-' || to_char(2025 + ((n - 1) * 545 / 1200) / 365, 'FM0000') || '-' || to_char(1 + (n - 1) / 4, 'FM00000'),
       DATE '2025-01-01' + ((n - 1) * 545) / 1200,
       (ARRAY['4000','4100','5000','6100','6200','6300','1200','2100'])[1 + n % 8],
       (ARRAY['Product Revenue','Service Revenue','Cost of Goods Sold','Salaries','Marketing Expense',
              'Travel Expense','Accounts Receivable','Accounts Payable'])[1 + n % 8],
       (ARRAY['CC-100 Sales','CC-200 Marketing','CC-300 Engineering','CC-400 G&A'])[1 + (n * 3) % 4],
       (ARRAY['EMEA','NA','APAC','LATAM'])[1 + (n * 5) % 4],
       CASE WHEN n % 2 = 0 THEN (100 + (n * 7919) % 9900)::numeric + 0.50 ELSE 0 END,
       CASE WHEN n % 2 = 1 THEN (100 + (n * 7919) % 9900)::numeric + 0.50 ELSE 0 END,
       (ARRAY['EUR','USD','JPY','BRL'])[1 + (n * 5) % 4],
       'Auto-posted entry ' || n
FROM generate_series(1, 1200) AS n;

-- -----------------------------------------------------------------------------
-- scratch.sales_targets (4 regions x 18 months = 72 rows) -- scratchpad DB
-- -----------------------------------------------------------------------------
CREATE TABLE scratch.sales_targets (
    region          VARCHAR(16) NOT NULL,
    target_month    DATE NOT NULL,
    target_revenue  NUMERIC(14, 2) NOT NULL,
    owner           VARCHAR(64) NOT NULL,
    PRIMARY KEY (region, target_month)
);

INSERT INTO scratch.sales_targets
SELECT r.region,
       (DATE '2025-01-01' + make_interval(months => m))::date,
       (40000 + r.k * 2500 + m * 500)::numeric,
       (ARRAY['lena','bob','ivan','kim'])[r.k]
FROM (VALUES (1, 'EMEA'), (2, 'NA'), (3, 'APAC'), (4, 'LATAM')) AS r(k, region)
CROSS JOIN generate_series(0, 17) AS m;
