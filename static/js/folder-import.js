// "Pick a folder" on the import page: the chosen folder's files are packed into a zip (stored,
// not compressed) and put in the archive field, so the server reads them as any upload, under
// the same rules. Vendored and version-control folders are left out here already.
(function () {
  "use strict";
  var picker = document.getElementById("folder-picker");
  var form = document.getElementById("import-form");
  if (!picker || !form) return;
  var archive = form.querySelector("input[type=file][name=archive]");
  var status = document.getElementById("folder-status");
  var SKIPPED = [".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", ".tox", "dist", "build", ".next", ".nuxt"];

  var TABLE = (function () {
    var table = new Uint32Array(256);
    for (var n = 0; n < 256; n++) {
      var c = n;
      for (var k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
    return table;
  })();

  function crc32(bytes) {
    var crc = 0xffffffff;
    for (var i = 0; i < bytes.length; i++) crc = TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
    return (crc ^ 0xffffffff) >>> 0;
  }

  function header(size) {
    var buffer = new ArrayBuffer(size);
    return { buffer: buffer, view: new DataView(buffer) };
  }

  function zip(entries) {
    var parts = [], central = [], offset = 0;
    entries.forEach(function (entry) {
      var name = new TextEncoder().encode(entry.path);
      var crc = crc32(entry.data);
      var local = header(30);
      var v = local.view;
      v.setUint32(0, 0x04034b50, true); v.setUint16(4, 20, true); v.setUint16(6, 0x0800, true);
      v.setUint32(14, crc, true); v.setUint32(18, entry.data.length, true);
      v.setUint32(22, entry.data.length, true); v.setUint16(26, name.length, true);
      parts.push(local.buffer, name, entry.data);
      var record = header(46);
      var w = record.view;
      w.setUint32(0, 0x02014b50, true); w.setUint16(4, 20, true); w.setUint16(6, 20, true);
      w.setUint16(8, 0x0800, true); w.setUint32(16, crc, true);
      w.setUint32(20, entry.data.length, true); w.setUint32(24, entry.data.length, true);
      w.setUint16(28, name.length, true); w.setUint32(42, offset, true);
      central.push(record.buffer, name);
      offset += 30 + name.length + entry.data.length;
    });
    var size = central.reduce(function (sum, part) { return sum + (part.byteLength || part.length); }, 0);
    var end = header(22);
    var e = end.view;
    e.setUint32(0, 0x06054b50, true); e.setUint16(8, entries.length, true);
    e.setUint16(10, entries.length, true); e.setUint32(12, size, true); e.setUint32(16, offset, true);
    return new Blob(parts.concat(central, [end.buffer]), { type: "application/zip" });
  }

  picker.addEventListener("change", function () {
    var files = Array.prototype.filter.call(picker.files, function (file) {
      var parts = (file.webkitRelativePath || file.name).split("/");
      return !parts.slice(0, -1).some(function (part) { return SKIPPED.indexOf(part) >= 0; });
    });
    if (!files.length) { status.textContent = "That folder holds no files to import."; return; }
    status.textContent = "Packing " + files.length + " files...";
    Promise.all(files.map(function (file) {
      return file.arrayBuffer().then(function (data) {
        return { path: file.webkitRelativePath || file.name, data: new Uint8Array(data) };
      });
    })).then(function (entries) {
      var folder = entries[0].path.split("/")[0] || "project";
      var packed = new File([zip(entries)], folder + ".zip", { type: "application/zip" });
      var transfer = new DataTransfer();
      transfer.items.add(packed);
      archive.files = transfer.files;
      status.textContent = files.length + " files packed as " + packed.name + " (" +
        packed.size + " bytes); press Import.";
    }).catch(function (error) {
      status.textContent = "The folder could not be read: " + error;
    });
  });
})();
