"""Synthetic projects for the benchmarks and the context tests: plain Python, no Django."""


def module(number: int, size: int, packages: int) -> str:
    """A Python module of about `size` bytes: a class and functions of about ten lines.

    Like real code, it imports a neighbour in its package; one in ten calls a helper.
    """
    package = number % packages
    imports = (
        [f"from app.pkg_{package} import module_{number - packages}"] if number >= packages else []
    )
    if number % 10 == 0:
        imports.append("from app import helpers")
    head = (
        f'"""Module {number}."""\n\n'
        + "\n".join(imports)
        + f"\n\n\nclass Model{number}:\n    pass\n"
    )
    body, function = [head], 0
    if number % 10 == 0:
        body.append(f"\n\ndef bounded(value):\n    return helpers.clamp(value, {number})\n")
    while sum(map(len, body)) < size:
        lines = "".join(f"    step_{i} = value + {i} * {function}\n" for i in range(8))
        body.append(f"\n\ndef function_{number}_{function}(value):\n{lines}    return step_7\n")
        function += 1
    return "".join(body)


def project(files: int, size: int, packages: int = 20) -> dict[str, str]:
    return {
        f"app/pkg_{n % packages}/module_{n}.py": module(n, size, packages) for n in range(files)
    }
