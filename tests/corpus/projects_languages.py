"""Small projects in the languages beyond Python and JavaScript, for the claims corpus
(tests/corpus/cases_claims.py): Go, Rust, Ruby, Java, C#, PHP, SQL, YAML, shell and Lua."""

HANDLERS_GO = """package api

import (
\t"encoding/json"
\t"net/http"
)

type Store interface {
\tList() ([]Item, error)
\tDelete(id string) error
}

func listItems(store Store) http.HandlerFunc {
\treturn func(w http.ResponseWriter, r *http.Request) {
\t\titems, err := store.List()
\t\tif err != nil {
\t\t\thttp.Error(w, err.Error(), http.StatusInternalServerError)
\t\t\treturn
\t\t}
\t\tjson.NewEncoder(w).Encode(items)
\t}
}

func deleteItem(store Store) http.HandlerFunc {
\treturn func(w http.ResponseWriter, r *http.Request) {
\t\tid := r.URL.Query().Get("id")
\t\tif err := store.Delete(id); err != nil {
\t\t\thttp.Error(w, err.Error(), http.StatusNotFound)
\t\t\treturn
\t\t}
\t\tw.WriteHeader(http.StatusNoContent)
\t}
}
"""

LIB_RS = """use std::collections::HashMap;

pub struct Inventory {
    stock: HashMap<String, u32>,
}

impl Inventory {
    pub fn new() -> Self {
        Inventory { stock: HashMap::new() }
    }

    pub fn add(&mut self, sku: &str, count: u32) {
        *self.stock.entry(sku.to_string()).or_insert(0) += count;
    }

    pub fn remove(&mut self, sku: &str, count: u32) -> Result<(), String> {
        let have = self.stock.get_mut(sku).ok_or("unknown sku")?;
        if *have < count {
            return Err(format!("only {} left", have));
        }
        *have -= count;
        Ok(())
    }

    pub fn count(&self, sku: &str) -> u32 {
        self.stock.get(sku).copied().unwrap_or(0)
    }
}
"""

USER_RB = """class User < ApplicationRecord
  has_many :orders
  validates :email, presence: true, uniqueness: true

  def full_name
    [first_name, last_name].compact.join(" ")
  end

  def admin?
    role == "admin"
  end

  def deactivate!
    update!(active: false, deactivated_at: Time.current)
    orders.pending.each(&:cancel!)
  end
end
"""

ORDER_SERVICE_JAVA = """package com.example.shop;

import java.util.List;
import java.util.Optional;

public class OrderService {
    private final OrderRepository repository;

    public OrderService(OrderRepository repository) {
        this.repository = repository;
    }

    public Optional<Order> find(long id) {
        return repository.findById(id);
    }

    public List<Order> openOrders() {
        return repository.findByStatus(Status.OPEN);
    }

    public Order close(long id) {
        Order order = repository.findById(id).orElseThrow();
        order.setStatus(Status.CLOSED);
        return repository.save(order);
    }
}
"""

INVOICE_CS = """using System;
using System.Linq;

namespace Billing.Services
{
    public class InvoiceService
    {
        private readonly IInvoiceStore _store;

        public InvoiceService(IInvoiceStore store)
        {
            _store = store;
        }

        public decimal Total(Guid invoiceId)
        {
            var invoice = _store.Get(invoiceId);
            return invoice.Lines.Sum(line => line.Quantity * line.UnitPrice);
        }

        public void MarkPaid(Guid invoiceId, DateTime paidAt)
        {
            var invoice = _store.Get(invoiceId);
            invoice.PaidAt = paidAt;
            _store.Save(invoice);
        }
    }
}
"""

PRODUCT_PHP = """<?php

namespace App\\Controller;

use App\\Repository\\ProductRepository;

class ProductController
{
    public function __construct(private ProductRepository $products)
    {
    }

    public function index(): array
    {
        return $this->products->findAll();
    }

    public function show(int $id): ?array
    {
        return $this->products->find($id);
    }

    public function delete(int $id): void
    {
        $this->products->remove($id);
    }
}
"""

SCHEMA_SQL = """CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    total_cents INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'open'
);

CREATE INDEX orders_customer ON orders(customer_id);

CREATE VIEW open_orders AS
    SELECT * FROM orders WHERE status = 'open';
"""

COMPOSE_YML = """services:
  web:
    build: .
    ports:
      - "8000:8000"
    environment:
      DATABASE_URL: postgres://app@db/app
    depends_on:
      - db
  db:
    image: postgres:16
    volumes:
      - pgdata:/var/lib/postgresql/data
  worker:
    build: .
    command: python manage.py worker
    depends_on:
      - db
volumes:
  pgdata:
"""

DEPLOY_SH = """#!/usr/bin/env bash
set -euo pipefail

APP_DIR=/srv/app

build() {
    docker build -t app:latest .
}

migrate() {
    docker run --rm app:latest python manage.py migrate
}

restart() {
    systemctl restart app
    systemctl status app --no-pager
}

build
migrate
restart
"""

INIT_LUA = """local M = {}

M.options = {
  width = 80,
  border = "rounded",
}

function M.setup(opts)
  M.options = vim.tbl_extend("force", M.options, opts or {})
end

function M.open()
  local buf = vim.api.nvim_create_buf(false, true)
  vim.api.nvim_open_win(buf, true, { width = M.options.width, border = M.options.border })
  return buf
end

function M.close(win)
  if vim.api.nvim_win_is_valid(win) then
    vim.api.nvim_win_close(win, true)
  end
end

return M
"""

POLYGLOT = {
    "api/handlers.go": HANDLERS_GO,
    "inventory/src/lib.rs": LIB_RS,
    "app/models/user.rb": USER_RB,
    "src/main/java/com/example/shop/OrderService.java": ORDER_SERVICE_JAVA,
    "Billing/Services/InvoiceService.cs": INVOICE_CS,
    "src/Controller/ProductController.php": PRODUCT_PHP,
    "db/schema.sql": SCHEMA_SQL,
    "docker-compose.yml": COMPOSE_YML,
    "scripts/deploy.sh": DEPLOY_SH,
    "lua/panel/init.lua": INIT_LUA,
}
