"""Small changes of the corpus projects, one per language, that the report classes write in
their many ways (tests/corpus/cases_report_*.py): the same change as a well-formed block,
with gutters, entities or escapes, out of order, restated, twice.

Each Change names lines that are in its file exactly once (`old`), what replaces them
(`new`) and the request that asks for it.
"""

from dataclasses import dataclass

from tests.corpus import Case, edit
from tests.corpus.projects import EXPRESS, FLASK, INDEX_OK, INDEX_UP
from tests.corpus.projects_languages import POLYGLOT


@dataclass(frozen=True)
class Change:
    key: str  # a short name for case names
    files: dict
    path: str
    old: str
    new: str
    prompt: str

    @property
    def text(self) -> str:
        return self.files[self.path]

    @property
    def result(self) -> str:
        assert self.text.count(self.old) == 1, (self.key, self.old)
        return self.text.replace(self.old, self.new)

    @property
    def expect(self) -> dict:
        return {self.path: self.result}


def _change(key: str, files: dict, path: str, old: str, new: str, prompt: str) -> Change:
    return Change(key, files, path, old, new, prompt)


INDEX = _change("python", FLASK, "app.py", INDEX_OK, INDEX_UP, "make the index say up")
PRIORITY = _change(
    "dataclass",
    FLASK,
    "models.py",
    "    done: bool = False\n",
    "    done: bool = False\n    priority: int = 0\n",
    "add a priority field to todos",
)
GO = _change(
    "go",
    POLYGLOT,
    "api/handlers.go",
    "\t\t\thttp.Error(w, err.Error(), http.StatusNotFound)\n",
    '\t\t\thttp.Error(w, "no such item", http.StatusNotFound)\n',
    "do not leak the store's error when a delete fails",
)
RUST = _change(
    "rust",
    POLYGLOT,
    "inventory/src/lib.rs",
    '            return Err(format!("only {} left", have));\n',
    '            return Err(format!("only {} left of {}", have, sku));\n',
    "name the sku in the stock error",
)
RUBY = _change(
    "ruby",
    POLYGLOT,
    "app/models/user.rb",
    '    role == "admin"\n',
    "    %w[admin owner].include?(role)\n",
    "owners are admins too",
)
JAVA = _change(
    "java",
    POLYGLOT,
    "src/main/java/com/example/shop/OrderService.java",
    "        order.setStatus(Status.CLOSED);\n",
    "        order.setStatus(Status.CLOSED);\n        order.setClosedAt(java.time.Instant.now());\n",
    "record when an order was closed",
)
CSHARP = _change(
    "csharp",
    POLYGLOT,
    "Billing/Services/InvoiceService.cs",
    "            invoice.PaidAt = paidAt;\n",
    "            invoice.PaidAt = paidAt;\n            invoice.Status = InvoiceStatus.Paid;\n",
    "mark a paid invoice's status",
)
PHP = _change(
    "php",
    POLYGLOT,
    "src/Controller/ProductController.php",
    "        $this->products->remove($id);\n",
    "        $this->products->remove($id, flush: true);\n",
    "flush when a product is deleted",
)
SQL = _change(
    "sql",
    POLYGLOT,
    "db/schema.sql",
    "    status TEXT NOT NULL DEFAULT 'open'\n);\n",
    "    status TEXT NOT NULL DEFAULT 'open',\n    shipped_at TIMESTAMP\n);\n",
    "add a shipped_at column to orders",
)
YAML = _change(
    "yaml",
    POLYGLOT,
    "docker-compose.yml",
    "    image: postgres:16\n",
    "    image: postgres:17\n",
    "move the database to postgres 17",
)
SHELL = _change(
    "shell",
    POLYGLOT,
    "scripts/deploy.sh",
    "    systemctl restart app\n",
    "    systemctl reload-or-restart app\n",
    "reload the app instead of restarting it when it can",
)
LUA = _change(
    "lua",
    POLYGLOT,
    "lua/panel/init.lua",
    "  width = 80,\n",
    "  width = 100,\n",
    "make the panel 100 columns wide",
)
JS = _change(
    "javascript",
    EXPRESS,
    "src/server.js",
    "  res.json({ ok: true });\n",
    "  res.json({ ok: true, uptime: process.uptime() });\n",
    "report the uptime in the health check",
)

CHANGES = [INDEX, PRIORITY, GO, RUST, RUBY, JAVA, CSHARP, PHP, SQL, YAML, SHELL, LUA, JS]

# Changes whose lines hold < > & or quotes: what HTML escaping and typography touch.
TITLE_LIMIT = _change(
    "python",
    FLASK,
    "app.py",
    '    if not title:\n        return jsonify({"error": "title is required"}), 400\n',
    "    if not title or len(title) > 200:\n"
    '        return jsonify({"error": "a title of 1 to 200 characters is required"}), 400\n',
    "limit titles to 200 characters",
)
BOOK_LIMIT = _change(
    "javascript",
    EXPRESS,
    "src/server.js",
    '  if (!req.body.title) {\n    return res.status(400).json({ error: "title is required" });\n',
    "  if (!req.body.title || req.body.title.length > 200) {\n"
    '    return res.status(400).json({ error: "title must be 1-200 characters" });\n',
    "limit book titles to 200 characters",
)
STOCK_CHECK = _change(
    "rust",
    POLYGLOT,
    "inventory/src/lib.rs",
    "        if *have < count {\n",
    "        if count == 0 || *have < count {\n",
    "refuse removing zero items",
)
JAVA_GENERIC = _change(
    "java",
    POLYGLOT,
    "src/main/java/com/example/shop/OrderService.java",
    "    public List<Order> openOrders() {\n        return repository.findByStatus(Status.OPEN);\n",
    "    public List<Order> openOrders() {\n"
    "        return repository.findByStatus(Status.OPEN).stream()\n"
    "            .filter(order -> order.getTotal() > 0 && !order.isTest())\n"
    "            .toList();\n",
    "leave test orders and empty orders out of the open ones",
)
PHP_ARROW = _change(
    "php",
    POLYGLOT,
    "src/Controller/ProductController.php",
    "        return $this->products->find($id);\n",
    "        return $this->products->find($id) ?? ['error' => \"product $id not found\"];\n",
    "say when a product is not found",
)
GO_AND = _change(
    "go",
    POLYGLOT,
    "api/handlers.go",
    '\t\tid := r.URL.Query().Get("id")\n',
    '\t\tid := r.URL.Query().Get("id")\n\t\tif id == "" && r.Method != http.MethodDelete {\n'
    '\t\t\thttp.Error(w, "missing id", http.StatusBadRequest)\n\t\t\treturn\n\t\t}\n',
    "answer 400 when the id is missing",
)

SPECIAL = [TITLE_LIMIT, BOOK_LIMIT, STOCK_CHECK, JAVA_GENERIC, PHP_ARROW, GO_AND]


def change_case(kind: str, name: str, answers: list, change: Change, wf=False, expect=None) -> Case:
    """A case of one Change: its project, request and expected files (or `expect`)."""
    return Case(
        name,
        kind,
        answers,
        change.expect if expect is None else expect,
        files=change.files,
        prompt=change.prompt,
        well_formed=wf,
    )


def final(change: Change) -> str:
    """The change as one well-formed block of our format."""
    return edit(change.path, (change.old, change.new))
