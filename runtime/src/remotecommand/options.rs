//! Query options of `pods/exec` and `pods/attach` (core/v1 `PodExecOptions`,
//! `PodAttachOptions`, whose kinds the spec names without defining them).

/// Options of an exec request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExecOptions {
    /// Container to run in; optional when the pod has one container.
    pub container: Option<String>,
    /// The command and its arguments (not run through a shell).
    pub command: Vec<String>,
    /// Pass stdin to the command.
    pub stdin: bool,
    /// Return the command's stdout.
    pub stdout: bool,
    /// Return the command's stderr (the server merges it into stdout when `tty` is set).
    pub stderr: bool,
    /// Run the command in a terminal.
    pub tty: bool,
}

impl ExecOptions {
    /// `command` with stdout and stderr captured, no stdin, no terminal.
    pub fn command<S: Into<String>>(command: impl IntoIterator<Item = S>) -> Self {
        ExecOptions {
            command: command.into_iter().map(Into::into).collect(),
            stdout: true,
            stderr: true,
            ..ExecOptions::default()
        }
    }

    /// The same options, in `container`.
    pub fn container(mut self, container: impl Into<String>) -> Self {
        self.container = Some(container.into());
        self
    }

    /// The same options, with stdin passed to the command.
    pub fn stdin(mut self, stdin: bool) -> Self {
        self.stdin = stdin;
        self
    }

    /// The same options, in a terminal (stderr is then part of stdout).
    pub fn tty(mut self, tty: bool) -> Self {
        self.tty = tty;
        if tty {
            self.stderr = false;
        }
        self
    }

    /// The options as query parameters (`command` once per argument), skipping unset ones.
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut q: Vec<(&'static str, String)> = self
            .command
            .iter()
            .map(|c| ("command", c.clone()))
            .collect();
        if let Some(c) = &self.container {
            q.push(("container", c.clone()));
        }
        q.extend(streams(self.stdin, self.stdout, self.stderr, self.tty));
        q
    }
}

/// Options of an attach request (to a container's main process).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttachOptions {
    /// Container to attach to; optional when the pod has one container.
    pub container: Option<String>,
    /// Pass stdin to the process (the container must have `stdin: true`).
    pub stdin: bool,
    /// Return the process's stdout.
    pub stdout: bool,
    /// Return the process's stderr.
    pub stderr: bool,
    /// The container runs in a terminal (`tty: true` in its spec).
    pub tty: bool,
}

impl AttachOptions {
    /// The options as query parameters, skipping unset ones.
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        if let Some(c) = &self.container {
            q.push(("container", c.clone()));
        }
        q.extend(streams(self.stdin, self.stdout, self.stderr, self.tty));
        q
    }
}

fn streams(
    stdin: bool,
    stdout: bool,
    stderr: bool,
    tty: bool,
) -> impl Iterator<Item = (&'static str, String)> {
    [
        ("stdin", stdin),
        ("stdout", stdout),
        ("stderr", stderr),
        ("tty", tty),
    ]
    .into_iter()
    .filter(|(_, on)| *on)
    .map(|(k, _)| (k, "true".to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_repeats_and_streams_are_flags() {
        let q = ExecOptions::command(["sh", "-c", "exit 3"])
            .container("main")
            .query_pairs();
        let text: Vec<String> = q.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(
            text,
            [
                "command=sh",
                "command=-c",
                "command=exit 3",
                "container=main",
                "stdout=true",
                "stderr=true"
            ]
        );
        assert!(!ExecOptions::command(["sh"]).tty(true).stderr);
    }
}
