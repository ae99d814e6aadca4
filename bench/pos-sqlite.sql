-- Benchmark point-of-sale schema, SQLite side: typed the way a real terminal app writes it
-- (TEXT uuids, DATETIME ISO text, DECIMAL money, BOOLEAN 0/1, JSON in TEXT), with an
-- INTEGER PRIMARY KEY for order lines. Matches bench/pos-postgres.sql column for column.

CREATE TABLE stores (
    id          TEXT NOT NULL PRIMARY KEY,
    code        VARCHAR(20)  NOT NULL UNIQUE,
    name        VARCHAR(120) NOT NULL,
    timezone    VARCHAR(64)  NOT NULL DEFAULT 'UTC',
    settings    TEXT         NOT NULL DEFAULT '{}',
    is_active   BOOLEAN      NOT NULL DEFAULT 1,
    created_at  DATETIME     NOT NULL,
    updated_at  DATETIME     NOT NULL
);
CREATE INDEX idx_stores_updated_at ON stores (updated_at);

CREATE TABLE terminals (
    id             TEXT NOT NULL PRIMARY KEY,
    store_id       TEXT        NOT NULL REFERENCES stores (id) ON DELETE RESTRICT,
    name           VARCHAR(60) NOT NULL,
    device_serial  VARCHAR(64) NOT NULL,
    is_active      BOOLEAN     NOT NULL DEFAULT 1,
    created_at     DATETIME    NOT NULL,
    updated_at     DATETIME    NOT NULL
);
CREATE INDEX idx_terminals_updated_at ON terminals (updated_at);

CREATE TABLE users (
    id          TEXT NOT NULL PRIMARY KEY,
    store_id    TEXT         NOT NULL REFERENCES stores (id) ON DELETE RESTRICT,
    username    VARCHAR(60)  NOT NULL UNIQUE,
    full_name   VARCHAR(120) NOT NULL,
    role        VARCHAR(20)  NOT NULL DEFAULT 'cashier',
    pin_hash    VARCHAR(100) NOT NULL,
    is_active   BOOLEAN      NOT NULL DEFAULT 1,
    created_at  DATETIME     NOT NULL,
    updated_at  DATETIME     NOT NULL
);
CREATE INDEX idx_users_updated_at ON users (updated_at);

CREATE TABLE customers (
    id                TEXT NOT NULL PRIMARY KEY,
    full_name         VARCHAR(120) NOT NULL,
    email             VARCHAR(254),
    phone             VARCHAR(32),
    loyalty_points    INTEGER      NOT NULL DEFAULT 0,
    marketing_opt_in  BOOLEAN      NOT NULL DEFAULT 0,
    created_at        DATETIME     NOT NULL,
    updated_at        DATETIME     NOT NULL
);
CREATE INDEX idx_customers_updated_at ON customers (updated_at);

CREATE TABLE categories (
    id          INTEGER PRIMARY KEY,
    parent_id   INTEGER REFERENCES categories (id) ON DELETE SET NULL,
    name        VARCHAR(80) NOT NULL,
    sort_order  INTEGER     NOT NULL DEFAULT 0,
    created_at  DATETIME    NOT NULL,
    updated_at  DATETIME    NOT NULL
);
CREATE INDEX idx_categories_updated_at ON categories (updated_at);

CREATE TABLE products (
    id           TEXT NOT NULL PRIMARY KEY,
    category_id  INTEGER       REFERENCES categories (id) ON DELETE SET NULL,
    sku          VARCHAR(40)   NOT NULL UNIQUE,
    name         VARCHAR(160)  NOT NULL,
    price        DECIMAL(12,2) NOT NULL,
    cost         DECIMAL(12,2),
    tax_rate     DECIMAL(5,4)  NOT NULL DEFAULT 0,
    attributes   TEXT          NOT NULL DEFAULT '{}',
    is_active    BOOLEAN       NOT NULL DEFAULT 1,
    created_at   DATETIME      NOT NULL,
    updated_at   DATETIME      NOT NULL
);
CREATE INDEX idx_products_updated_at ON products (updated_at);

CREATE TABLE orders (
    id            TEXT NOT NULL PRIMARY KEY,
    order_number  VARCHAR(30)   NOT NULL UNIQUE,
    store_id      TEXT          NOT NULL REFERENCES stores (id) ON DELETE RESTRICT,
    terminal_id   TEXT          NOT NULL REFERENCES terminals (id) ON DELETE RESTRICT,
    user_id       TEXT          NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    customer_id   TEXT          REFERENCES customers (id) ON DELETE SET NULL,
    status        VARCHAR(20)   NOT NULL DEFAULT 'open',
    subtotal      DECIMAL(12,2) NOT NULL DEFAULT 0,
    tax_total     DECIMAL(12,2) NOT NULL DEFAULT 0,
    total         DECIMAL(12,2) NOT NULL DEFAULT 0,
    notes         TEXT,
    placed_at     DATETIME      NOT NULL,
    created_at    DATETIME      NOT NULL,
    updated_at    DATETIME      NOT NULL
);
CREATE INDEX idx_orders_updated_at ON orders (updated_at);

CREATE TABLE order_items (
    id          INTEGER PRIMARY KEY,
    order_id    TEXT          NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id  TEXT          NOT NULL REFERENCES products (id) ON DELETE RESTRICT,
    quantity    INTEGER       NOT NULL,
    unit_price  DECIMAL(12,2) NOT NULL,
    discount    DECIMAL(12,2) NOT NULL DEFAULT 0,
    line_total  DECIMAL(12,2) NOT NULL,
    modifiers   TEXT,
    created_at  DATETIME      NOT NULL,
    updated_at  DATETIME      NOT NULL
);
CREATE INDEX idx_order_items_updated_at ON order_items (updated_at);

CREATE TABLE payments (
    id          TEXT NOT NULL PRIMARY KEY,
    order_id    TEXT          NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    method      VARCHAR(20)   NOT NULL,
    amount      DECIMAL(12,2) NOT NULL,
    card_last4  CHAR(4),
    is_refund   BOOLEAN       NOT NULL DEFAULT 0,
    paid_at     DATETIME      NOT NULL,
    created_at  DATETIME      NOT NULL,
    updated_at  DATETIME      NOT NULL
);
CREATE INDEX idx_payments_updated_at ON payments (updated_at);
