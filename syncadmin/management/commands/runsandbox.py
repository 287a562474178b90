from syncadmin.management.commands._sandbox_shim import SandboxShim


class Command(SandboxShim):
    help = "Serve the Zoho sandbox (default 127.0.0.1:8100) in its own process."
    sandbox_command = "serve"
