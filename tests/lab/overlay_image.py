"""The overlay check image for Python callers (molecule's testinfra tests, `make bench`): tag,
package and build script are read from playbooks/tasks/overlay_image.yml, so there is one recipe."""

import os
import shlex

import jinja2
import yaml

TASKS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                     "playbooks", "tasks", "overlay_image.yml")


def _module_args(tasks, module):
    return next(task[module] for task in tasks if module in task)


def recipe():
    """(image tag, shell command that installs the package and builds the image if missing)."""
    with open(TASKS, encoding="utf-8") as handle:
        tasks = yaml.safe_load(handle)
    # Rendered without variables: the tag the playbooks use when the caller names none.
    tag = jinja2.Template(_module_args(tasks, "ansible.builtin.set_fact")["overlay_check_image"]).render()
    package = _module_args(tasks, "ansible.builtin.package")["name"]
    script = jinja2.Template(_module_args(tasks, "ansible.builtin.shell")["cmd"]).render(overlay_check_image=tag)
    command = ("dpkg -s {pkg} >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -q {pkg} >/dev/null; "
               "bash -c {script}").format(pkg=shlex.quote(package), script=shlex.quote(script))
    return tag, command
