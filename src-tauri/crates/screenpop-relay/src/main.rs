//! `screenpop-relay`: `serve` runs the relay; `check` reads a configuration and says what is
//! wrong; `seats` writes the NATS permissions and passwords for a tenant's seats.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use screenpop_relay::config::Config;
use screenpop_relay::{seats, server, Error};

/// Where the Debian package puts the configuration.
const DEFAULT_CONFIG: &str = "/etc/screenpop-relay/relay.toml";

#[derive(Parser)]
#[command(
    name = "screenpop-relay",
    version,
    about = "Pops agents' screenpop from Twilio TaskRouter, Amazon Connect or a signed webhook, over NATS"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the relay until SIGTERM or Ctrl+C.
    Serve {
        /// The configuration file.
        #[arg(long, default_value = DEFAULT_CONFIG)]
        config: PathBuf,
    },
    /// Read the configuration and the secrets it names, and say what is wrong (exit 2) or fine.
    Check {
        /// The configuration file.
        #[arg(long, default_value = DEFAULT_CONFIG)]
        config: PathBuf,
    },
    /// Write the NATS server's `authorization` block for a tenant's seats (standard output) and
    /// their new passwords (a file only its owner reads).
    Seats {
        /// The contact centre, as in the relay's configuration.
        #[arg(long)]
        tenant: String,
        /// A file of seats, one a line (`#` starts a comment).
        #[arg(long, value_name = "FILE")]
        seats: PathBuf,
        /// Where to write the passwords (`nats user,seat,password` lines); must not exist.
        #[arg(long, value_name = "FILE")]
        passwords: PathBuf,
        /// The relay's own NATS user.
        #[arg(long, default_value = "relay")]
        relay_user: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let done = match cli.command {
        Command::Serve { config } => serve(&config),
        Command::Check { config } => Config::load(&config).map(|c| {
            println!(
                "{}: fine. Tenant \"{}\", listening on {}, NATS {}.",
                config.display(),
                c.tenant,
                c.listen,
                c.nats.servers.join(", ")
            );
        }),
        Command::Seats {
            tenant,
            seats,
            passwords,
            relay_user,
        } => write_seats(&tenant, &seats, &passwords, &relay_user),
    };
    match done {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("screenpop-relay: {e}");
            ExitCode::from(match e {
                Error::Config(_) => 2,
                Error::Nats(_) => 5,
                Error::Io(_) => 1,
            })
        }
    }
}

fn serve(config: &std::path::Path) -> Result<(), Error> {
    let config = Config::load(config)?;
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|e| Error::Io(format!("Cannot start the runtime: {e}.")))?;
    runtime.block_on(server::serve(config))
}

fn write_seats(
    tenant: &str,
    list: &std::path::Path,
    out: &std::path::Path,
    relay_user: &str,
) -> Result<(), Error> {
    let text = std::fs::read_to_string(list)
        .map_err(|e| Error::Io(format!("Cannot read {}: {e}.", list.display())))?;
    let seat_list = seats::read_list(&text);
    if seat_list.is_empty() {
        return Err(Error::Config(format!("{} lists no seats.", list.display())));
    }
    let written = seats::write(tenant, relay_user, &seat_list, seats::COST)?;
    let mut file = create_private(out)?;
    for (user, seat, password) in &written.passwords {
        writeln!(file, "{user},{seat},{password}")
            .map_err(|e| Error::Io(format!("Cannot write {}: {e}.", out.display())))?;
    }
    print!("{}", written.block);
    eprintln!(
        "screenpop-relay: {} seats. Passwords in {} (give each seat its own with `screenpop relay credentials set`; the relay's goes in its password file).",
        seat_list.len(),
        out.display()
    );
    Ok(())
}

/// Creates `path` for its owner only, refusing to replace a file.
fn create_private(path: &std::path::Path) -> Result<std::fs::File, Error> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map_err(|e| {
        Error::Io(format!(
            "Cannot create {} ({e}); it must not exist already.",
            path.display()
        ))
    })
}
