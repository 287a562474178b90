from syncadmin.management.commands._sandbox_shim import SandboxShim


class Command(SandboxShim):
    help = "Print a self-client grant code: --user EMAIL --scopes SCOPES."
    sandbox_command = "selfclient"
