-- A bank for the script-bank*.toml scenarios: money moves between five accounts and the total
-- never changes ([sqlite] checks). Each account's row carries a memo of 600 bytes, so that with
-- 1 KiB pages no two balances share a page: a transfer half written shows in the total.
--
-- The set-up: everything before the first BEGIN, run as one transaction on a new database.
CREATE TABLE accounts(
  id INTEGER PRIMARY KEY,
  owner TEXT NOT NULL,
  balance INTEGER NOT NULL CHECK (balance >= 0),
  memo BLOB
);
CREATE TABLE transfers(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  src INTEGER NOT NULL,
  dst INTEGER NOT NULL,
  amount INTEGER NOT NULL,
  note TEXT
);
CREATE INDEX transfers_by_src ON transfers(src);
INSERT INTO accounts(id, owner, balance, memo) VALUES
  (0, 'ada', 200, zeroblob(600)), (1, 'bob', 200, zeroblob(600)),
  (2, 'cy', 200, zeroblob(600)), (3, 'dee', 200, zeroblob(600)),
  (4, 'eve', 200, zeroblob(600));

-- A transfer of 1 to 50 (never more than the source holds) from account :from to another one;
-- :from, :to and :amount are drawn per op. The note shows 'now' and randomblob(): the
-- reference database answers them as the target does.
BEGIN;
INSERT INTO transfers(src, dst, amount, note)
  SELECT id, (id + 1 + :to % 4) % 5, min(:amount % 50 + 1, balance),
         datetime('now') || ' ' || hex(randomblob(4))
  FROM accounts WHERE id = :from % 5;
UPDATE accounts SET balance = balance - (SELECT amount FROM transfers ORDER BY id DESC LIMIT 1)
  WHERE id = (SELECT src FROM transfers ORDER BY id DESC LIMIT 1);
UPDATE accounts SET balance = balance + (SELECT amount FROM transfers ORDER BY id DESC LIMIT 1),
                    memo = randomblob(600)
  WHERE id = (SELECT dst FROM transfers ORDER BY id DESC LIMIT 1);
COMMIT;

-- The richest account gives a tenth of its balance to the poorest (the same one when all are
-- equal), through the ledger as well.
BEGIN;
INSERT INTO transfers(src, dst, amount, note)
  VALUES ((SELECT id FROM accounts ORDER BY balance DESC, id LIMIT 1),
          (SELECT id FROM accounts ORDER BY balance, id LIMIT 1),
          (SELECT max(balance) / 10 FROM accounts), 'levelling');
UPDATE accounts SET balance = balance - (SELECT amount FROM transfers ORDER BY id DESC LIMIT 1)
  WHERE id = (SELECT src FROM transfers ORDER BY id DESC LIMIT 1);
UPDATE accounts SET balance = balance + (SELECT amount FROM transfers ORDER BY id DESC LIMIT 1)
  WHERE id = (SELECT dst FROM transfers ORDER BY id DESC LIMIT 1);
COMMIT;

-- A statement on its own is a transaction of its own: the ledger keeps its last 20 transfers.
DELETE FROM transfers WHERE id <= (SELECT max(id) FROM transfers) - 20;
