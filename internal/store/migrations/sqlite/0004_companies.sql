-- crmd schema, version 4: companies carry legal details (Envybox client
-- companies: INN, KPP, OGRN, bank details; the short name is companies.name),
-- clients (contacts) link to companies with a primary flag, and clients
-- have contact persons that group their contact data rows
-- (contact_data.group_id = contact_persons.id).

ALTER TABLE companies ADD COLUMN full_name TEXT NOT NULL DEFAULT '';
ALTER TABLE companies ADD COLUMN inn TEXT NOT NULL DEFAULT '';
ALTER TABLE companies ADD COLUMN kpp TEXT NOT NULL DEFAULT '';
ALTER TABLE companies ADD COLUMN ogrn TEXT NOT NULL DEFAULT '';
ALTER TABLE companies ADD COLUMN legal_address TEXT NOT NULL DEFAULT '';
ALTER TABLE companies ADD COLUMN postal_address TEXT NOT NULL DEFAULT '';
ALTER TABLE companies ADD COLUMN general_manager TEXT NOT NULL DEFAULT '';
ALTER TABLE companies ADD COLUMN bank_name TEXT NOT NULL DEFAULT '';
ALTER TABLE companies ADD COLUMN bik TEXT NOT NULL DEFAULT '';
ALTER TABLE companies ADD COLUMN payment_account TEXT NOT NULL DEFAULT '';
ALTER TABLE companies ADD COLUMN correspondent_account TEXT NOT NULL DEFAULT '';

CREATE TABLE client_companies (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    client_id  INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
    is_primary BOOLEAN NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, client_id, company_id)
);
CREATE INDEX client_companies_company ON client_companies(account_id, company_id);

CREATE TABLE contact_persons (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    client_id  INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    birthday   TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX contact_persons_client ON contact_persons(account_id, client_id, id);
