"""Provenance and idempotence, encodings, and laziness across languages (issue 23, classes
5 to 7): every added line is content the model wrote, no change is made twice, files keep
their BOM and line endings, and a rewrite is judged by what it loses. Helpers and the
claims themselves are in cases_claims.
"""

from tests.corpus import Case, edit, whole
from tests.corpus.cases_claims import case
from tests.corpus.projects import (
    APP,
    APP_UP,
    FLASK,
    INDEX_OK,
    INDEX_UP,
    MAKEFILE,
    MIXED,
    WIN_APP,
)
from tests.corpus.projects_languages import (
    COMPOSE_YML,
    DEPLOY_SH,
    HANDLERS_GO,
    INIT_LUA,
    INVOICE_CS,
    LIB_RS,
    ORDER_SERVICE_JAVA,
    POLYGLOT,
    PRODUCT_PHP,
    SCHEMA_SQL,
    USER_RB,
)

# Provenance and idempotence ------------------------------------------------------------------


def cat_n(text: str) -> str:
    """A file as `cat -n` shows it."""
    return "".join(f"{n:6}\t{line}\n" for n, line in enumerate(text.splitlines(), start=1))


def arrows(text: str, first: int = 1) -> str:
    """A file as an editor's read tool shows it: `    12→code`."""
    return "".join(f"{n:6}→{line}\n" for n, line in enumerate(text.splitlines(), start=first))


HEALTH_PY = 'from flask import jsonify\n\n\ndef health():\n    return jsonify({"ok": True})\n'
LEVELS_YAML = "levels:\n  1: debug\n  2: info\n"
LEVELS_MORE = LEVELS_YAML + "  3: warning\n  4: error\n  5: critical\n"
SCORES_TSV = "rank\tname\tscore\n1\tada\t98\n"
SCORES_MORE = SCORES_TSV + "2\tbob\t91\n3\tcyd\t88\n4\tdee\t85\n"
QUERY_JAVA = """class Queries {
    static String openOrders() {
        return "SELECT * FROM orders";
    }
}
"""
QUERY_MORE = QUERY_JAVA.replace(
    '        return "SELECT * FROM orders";\n',
    '        return "SELECT * FROM orders"\n            + " WHERE status = \'open\'"\n'
    '            + " ORDER BY id";\n',
)
CREATE_HEAD = '@app.post("/todos")\ndef create_todo():\n'
LOGGED = CREATE_HEAD + '    app.logger.info("creating a todo")\n'

PROVENANCE = [
    case(
        "provenance",
        "a whole file copied with its cat -n gutter, then without",
        [whole("app.py", cat_n(APP_UP)), whole("app.py", APP_UP)],
        {"app.py": APP_UP},
        prompt="make the index say the service is up",
    ),
    case(
        "provenance",
        "a new file written with an editor's numbered gutter, then plain",
        [whole("health.py", arrows(HEALTH_PY)), whole("health.py", HEALTH_PY)],
        {"health.py": HEALTH_PY},
        prompt="add a health module",
    ),
    case(
        "provenance",
        "a replacement with 'N: ' line numbers of the file, then without",
        [
            edit(
                "app.py",
                (
                    '@app.get("/")\ndef index():\n' + INDEX_OK,
                    '10: @app.get("/")\n11: def index():\n12: ' + INDEX_UP,
                ),
            ),
            edit("app.py", (INDEX_OK, INDEX_UP)),
        ],
        {"app.py": APP_UP},
        prompt="make the index say the service is up",
    ),
    case(
        "provenance",
        "YAML keys that are numbers one after another are data",
        [
            edit(
                "levels.yaml",
                ("  2: info\n", "  2: info\n  3: warning\n  4: error\n  5: critical\n"),
            )
        ],
        {"levels.yaml": LEVELS_MORE},
        files={"levels.yaml": LEVELS_YAML},
        prompt="add the warning, error and critical levels",
        well_formed=True,
    ),
    case(
        "provenance",
        "numbered TSV rows are data",
        [whole("scores.tsv", SCORES_MORE)],
        {"scores.tsv": SCORES_MORE},
        files={"scores.tsv": SCORES_TSV},
        prompt="add the scores of bob, cyd and dee",
        well_formed=True,
    ),
    case(
        "provenance",
        "a replacement written as the search plus '+' lines, then plain",
        [
            edit(
                "app.py", (CREATE_HEAD, CREATE_HEAD + '+    app.logger.info("creating a todo")\n')
            ),
            edit("app.py", (CREATE_HEAD, LOGGED)),
        ],
        {"app.py": APP.replace(CREATE_HEAD, LOGGED)},
        prompt="log when a todo is created",
    ),
    case(
        "provenance",
        "a replacement that keeps a '-' line for what goes, then plain",
        [
            edit("app.py", (INDEX_OK, "-" + INDEX_OK + INDEX_UP)),
            edit("app.py", (INDEX_OK, INDEX_UP)),
        ],
        {"app.py": APP_UP},
        prompt="make the index say the service is up",
    ),
    case(
        "provenance",
        "the same insertion twice in one answer, then nothing more",
        [
            edit("app.py", (CREATE_HEAD, LOGGED))
            + "\nAnd the logging line:\n\n"
            + edit("app.py", (CREATE_HEAD, LOGGED)),
            "The logging line is in place; nothing else is needed.",
        ],
        {"app.py": APP.replace(CREATE_HEAD, LOGGED)},
        prompt="log when a todo is created",
    ),
    case(
        "provenance",
        "a whole file that ends with the patch format's closing line, then without",
        [whole("health.py", HEALTH_PY + "*** End Patch\n"), whole("health.py", HEALTH_PY)],
        {"health.py": HEALTH_PY},
        prompt="add a health module",
    ),
    case(
        "provenance",
        "Java string lines that begin with '+' are code",
        [
            edit(
                "Queries.java",
                (
                    '        return "SELECT * FROM orders";\n',
                    '        return "SELECT * FROM orders"\n            + " WHERE status = \'open\'"\n'
                    '            + " ORDER BY id";\n',
                ),
            )
        ],
        {"Queries.java": QUERY_MORE},
        files={"Queries.java": QUERY_JAVA},
        prompt="only open orders, by id",
        well_formed=True,
    ),
]

# Encodings ---------------------------------------------------------------------------------

BOM = "\ufeff"
BOM_APP = BOM + APP
BOM_CS = BOM + INVOICE_CS.replace("\n", "\r\n")
WINDOWS = {"app.py": WIN_APP, "NOTES.txt": "First line\r\nSecond line\r\n"}
MIXED_NOTES = "one\r\ntwo\nthree\r\n"
MAKE_LINT = "lint:\n\tgolangci-lint run \\\n\t    --timeout 5m \\\n\t    ./...\n"
MAKE_RELEASE_SPACES = "release: build\n    tar czf app.tgz \\\n        bin/app README.md\n"
MAKE_RELEASE = "release: build\n\ttar czf app.tgz \\\n        bin/app README.md\n"

ENCODINGS = [
    case(
        "encodings",
        "an edit of the first line of a file with a byte-order mark",
        [
            edit(
                "app.py",
                (
                    "from flask import Flask, jsonify, request\n",
                    "from flask import Flask, abort, jsonify, request\n",
                ),
            )
        ],
        {"app.py": BOM_APP.replace("Flask, jsonify", "Flask, abort, jsonify")},
        files={**FLASK, "app.py": BOM_APP},
        prompt="import abort",
        well_formed=True,
    ),
    case(
        "encodings",
        "a whole file rewritten without the byte-order mark it had",
        [whole("app.py", APP_UP)],
        {"app.py": BOM + APP_UP},
        files={**FLASK, "app.py": BOM_APP},
        prompt="make the index say the service is up",
        well_formed=True,
    ),
    case(
        "encodings",
        "a new file in a project whose files are all CRLF",
        [whole("cli.py", "import sys\n\nprint(sys.argv)\n")],
        {"cli.py": "import sys\r\n\r\nprint(sys.argv)\r\n"},
        files=WINDOWS,
        prompt="add a cli script",
        well_formed=True,
    ),
    case(
        "encodings",
        "a CRLF answer editing a CRLF file",
        [
            edit("app.py", ("    print(sys.argv)\n", "    print(sys.argv[1:])\n")).replace(
                "\n", "\r\n"
            )
        ],
        {"app.py": WIN_APP.replace("sys.argv)", "sys.argv[1:])")},
        files=WINDOWS,
        prompt="skip the program name",
        well_formed=True,
    ),
    case(
        "encodings",
        "a rewrite of a file with mixed endings keeps each kept line's",
        [whole("notes.txt", "one\ntwo\nthree\nfour\n")],
        {"notes.txt": MIXED_NOTES + "four\r\n"},
        files={"notes.txt": MIXED_NOTES},
        prompt="add four to the notes",
        well_formed=True,
    ),
    case(
        "encodings",
        "a rewrite with a final newline of a file that has none",
        [whole("VERSION", "1.2.4\n")],
        {"VERSION": "1.2.4"},
        files=MIXED,
        prompt="bump the patch version",
        well_formed=True,
    ),
    case(
        "encodings",
        "a Makefile edit whose recipe has spaces and continuation lines aligned with spaces",
        [
            edit(
                "Makefile",
                ("run: build\n\t./bin/app\n", "run: build\n\t./bin/app\n\n" + MAKE_RELEASE_SPACES),
            )
        ],
        {"Makefile": MAKEFILE + "\n" + MAKE_RELEASE},
        files={"Makefile": MAKEFILE},
        prompt="add a release target",
        well_formed=True,
    ),
    case(
        "encodings",
        "a Makefile written whole with spaces, continuation lines aligned",
        [whole("Makefile", MAKEFILE + "\n" + MAKE_LINT.replace("\t", "    "))],
        {
            "Makefile": MAKEFILE
            + "\n"
            + "lint:\n\tgolangci-lint run \\\n        --timeout 5m \\\n        ./...\n"
        },
        files={"Makefile": MAKEFILE},
        prompt="add a lint target",
        well_formed=True,
    ),
    case(
        "encodings",
        "an edit of a C# file with a byte-order mark and CRLF",
        [
            edit(
                "InvoiceService.cs",
                (
                    "            invoice.PaidAt = paidAt;\n",
                    "            invoice.PaidAt = paidAt;\n            invoice.Status = InvoiceStatus.Paid;\n",
                ),
            )
        ],
        {
            "InvoiceService.cs": BOM_CS.replace(
                "            invoice.PaidAt = paidAt;\r\n",
                "            invoice.PaidAt = paidAt;\r\n            invoice.Status = InvoiceStatus.Paid;\r\n",
            )
        },
        files={"InvoiceService.cs": BOM_CS},
        prompt="set the status when an invoice is paid",
        well_formed=True,
    ),
]

# Laziness across languages: what a rewrite loses, whatever its placeholder says -----------------

GO_CREATE = """
func createItem(store Store) http.HandlerFunc {
\treturn func(w http.ResponseWriter, r *http.Request) {
\t\tw.WriteHeader(http.StatusCreated)
\t}
}
"""
GO_MORE = HANDLERS_GO + GO_CREATE
GO_DELETE_BODY = HANDLERS_GO[
    HANDLERS_GO.index("\t\tid := r.URL") : HANDLERS_GO.index(
        "\t\tw.WriteHeader(http.StatusNoContent)\n"
    )
]
GO_WITHOUT_DELETE = HANDLERS_GO[: HANDLERS_GO.index("\nfunc deleteItem")]
RS_REMOVE_BODY = LIB_RS[LIB_RS.index("        let have") : LIB_RS.index("        Ok(())\n")]
RS_TOTAL = "    pub fn total(&self) -> u32 {\n        self.stock.values().sum()\n    }\n"
RS_MORE = LIB_RS.replace("    pub fn count(", RS_TOTAL + "\n    pub fn count(")
RB_TO_S = "  def to_s\n    full_name\n  end\n\n"
RB_MORE = USER_RB.replace("  def admin?", RB_TO_S + "  def admin?")
RB_DEACTIVATE = USER_RB[USER_RB.index("\n  def deactivate!") : USER_RB.rindex("end\n")]
JAVA_COUNT = "    public long countOpen() {\n        return openOrders().size();\n    }\n\n"
JAVA_MORE = ORDER_SERVICE_JAVA.replace(
    "    public Order close(", JAVA_COUNT + "    public Order close("
)
CS_TOTAL_BODY = (
    "            var invoice = _store.Get(invoiceId);\n"
    "            return invoice.Lines.Sum(line => line.Quantity * line.UnitPrice);\n"
)
CS_MORE = INVOICE_CS.replace(
    "        public void MarkPaid(",
    "        public bool IsPaid(Guid invoiceId) => _store.Get(invoiceId).PaidAt != null;\n\n"
    "        public void MarkPaid(",
)
PHP_MORE = PRODUCT_PHP.replace(
    "    public function delete(",
    "    public function count(): int\n    {\n        return count($this->products->findAll());\n    }\n\n"
    "    public function delete(",
)
SQL_TAGS = "\nCREATE TABLE tags (\n    id INTEGER PRIMARY KEY,\n    name TEXT NOT NULL UNIQUE\n);\n"
SQL_MORE = SCHEMA_SQL + SQL_TAGS
YML_CACHE = "  cache:\n    image: redis:7\n"
YML_MORE = COMPOSE_YML.replace("volumes:\n  pgdata:\n", YML_CACHE + "volumes:\n  pgdata:\n")
SH_BACKUP = "backup() {\n    pg_dump app > /var/backups/app.sql\n}\n\n"
SH_MORE = (
    DEPLOY_SH.replace("build\nmigrate\nrestart\n", "").replace(
        "restart() {", SH_BACKUP + "restart() {"
    )
    + "backup\nbuild\nmigrate\nrestart\n"
)
LUA_TOGGLE = "function M.toggle()\n  M.visible = not M.visible\nend\n\n"
LUA_MORE = INIT_LUA.replace("return M\n", LUA_TOGGLE + "return M\n")
LUA_OPEN_BODY = INIT_LUA[INIT_LUA.index("  local buf") : INIT_LUA.index("  return buf\n")]
LUA_CLOSE_STUB = INIT_LUA.replace(
    "  if vim.api.nvim_win_is_valid(win) then\n    vim.api.nvim_win_close(win, true)\n  end\n",
    "  -- TODO: close the window\n",
)
SH_RESTART_ONLY = DEPLOY_SH.replace("    systemctl status app --no-pager\n", "")


def lazy(name: str, path: str, first: str, full: str, prompt: str) -> Case:
    """A lazy first answer for `path` of the polyglot project, then the whole file."""
    return case(
        "lazy_languages",
        name,
        [first, whole(path, full)],
        {path: full},
        files=POLYGLOT,
        prompt=prompt,
    )


LAZY_LANGUAGES = [
    lazy(
        "Go: a handler's body replaced by a German comment",
        "api/handlers.go",
        whole("api/handlers.go", GO_MORE.replace(GO_DELETE_BODY, "\t\t// (unverändert)\n")),
        GO_MORE,
        "add a create handler",
    ),
    lazy(
        "Rust: a method's body left out behind /* snip */",
        "inventory/src/lib.rs",
        edit(
            "inventory/src/lib.rs",
            (
                "    pub fn remove(&mut self, sku: &str, count: u32) -> Result<(), String> {\n"
                + RS_REMOVE_BODY,
                RS_TOTAL
                + "\n    pub fn remove(&mut self, sku: &str, count: u32) -> Result<(), String> {\n"
                "        /* snip */\n",
            ),
        ),
        RS_MORE,
        "add a total of all stock",
    ),
    lazy(
        "Ruby: a method dropped from a rewrite without a word",
        "app/models/user.rb",
        whole("app/models/user.rb", RB_MORE.replace(RB_DEACTIVATE, "")),
        RB_MORE,
        "add to_s returning the full name",
    ),
    lazy(
        "Java: two methods replaced by a German comment",
        "src/main/java/com/example/shop/OrderService.java",
        whole(
            "src/main/java/com/example/shop/OrderService.java",
            JAVA_MORE[: JAVA_MORE.index("    public Optional<Order> find")]
            + "    // Getter und übrige Methoden wie gehabt\n\n"
            + JAVA_COUNT
            + "}\n",
        ),
        JAVA_MORE,
        "add a count of open orders",
    ),
    lazy(
        "C#: a method body replaced by a Spanish comment",
        "Billing/Services/InvoiceService.cs",
        whole(
            "Billing/Services/InvoiceService.cs",
            CS_MORE.replace(CS_TOTAL_BODY, "            // (sin cambios)\n"),
        ),
        CS_MORE,
        "add IsPaid",
    ),
    lazy(
        "PHP: two actions replaced by // idem",
        "src/Controller/ProductController.php",
        whole(
            "src/Controller/ProductController.php",
            PHP_MORE[: PHP_MORE.index("    public function show")]
            + "    // idem\n\n"
            + PHP_MORE[PHP_MORE.index("    public function count") :],
        ),
        PHP_MORE,
        "add a count action",
    ),
    lazy(
        "SQL: a table and an index replaced by a French comment",
        "db/schema.sql",
        whole(
            "db/schema.sql",
            SQL_MORE[: SQL_MORE.index("CREATE TABLE orders")]
            + "-- autres tables identiques\n\n"
            + SQL_MORE[SQL_MORE.index("CREATE VIEW") :],
        ),
        SQL_MORE,
        "add a tags table",
    ),
    lazy(
        "YAML: two services replaced by a Chinese comment",
        "docker-compose.yml",
        whole(
            "docker-compose.yml",
            YML_MORE[: YML_MORE.index("  db:")]
            + "  # 其他服务保持不变\n"
            + YML_MORE[YML_MORE.index("  cache:") :],
        ),
        YML_MORE,
        "add a redis cache service",
    ),
    lazy(
        "shell: a function and its call dropped without a word",
        "scripts/deploy.sh",
        whole(
            "scripts/deploy.sh",
            SH_MORE.replace(
                "migrate() {\n    docker run --rm app:latest python manage.py migrate\n}\n\n", ""
            ).replace("build\nmigrate\n", "build\n"),
        ),
        SH_MORE,
        "back up the database before deploying",
    ),
    lazy(
        "Lua: a function body left out behind -- [snip]",
        "lua/panel/init.lua",
        whole("lua/panel/init.lua", LUA_MORE.replace(LUA_OPEN_BODY, "  -- [snip]\n")),
        LUA_MORE,
        "add a toggle function",
    ),
    case(
        "lazy_languages",
        "Go: a handler removed because the request asks",
        [whole("api/handlers.go", GO_WITHOUT_DELETE)],
        {"api/handlers.go": GO_WITHOUT_DELETE},
        files=POLYGLOT,
        prompt="remove the delete handler",
        well_formed=True,
    ),
    case(
        "lazy_languages",
        "shell: a line dropped because the request says only",
        [whole("scripts/deploy.sh", SH_RESTART_ONLY)],
        {"scripts/deploy.sh": SH_RESTART_ONLY},
        files=POLYGLOT,
        prompt="make restart only restart the service",
        well_formed=True,
    ),
    case(
        "lazy_languages",
        "Lua: a body stubbed because the request asks for a stub",
        [whole("lua/panel/init.lua", LUA_CLOSE_STUB)],
        {"lua/panel/init.lua": LUA_CLOSE_STUB},
        files=POLYGLOT,
        prompt="stub out M.close for now",
        well_formed=True,
    ),
]

CASES = PROVENANCE + ENCODINGS + LAZY_LANGUAGES
