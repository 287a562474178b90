from syncadmin.management.commands._sandbox_shim import SandboxShim


class Command(SandboxShim):
    help = "Seed the Zoho sandbox, e.g. --scenario messy --size 500 --seed 1."
    sandbox_command = "seed"
