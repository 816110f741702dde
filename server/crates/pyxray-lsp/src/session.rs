//! The state shared by every handler: the client handle, the open documents, the settings (with
//! a generation number that changes whenever they do), the negotiated position encoding, and
//! the lifecycle flags.

use crate::documents::DocumentStore;
use crate::scheduler::Scheduler;
use crate::settings::Settings;
use pyxray_insights::{AnalysisConfig, PositionEncoding};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock, RwLock};
use tower_lsp::Client;

pub(crate) struct Session {
    pub client: Client,
    pub documents: DocumentStore,
    pub scheduler: Scheduler,
    settings: RwLock<Versioned>,
    encoding: OnceLock<PositionEncoding>,
    shutdown_requested: AtomicBool,
    /// Warnings found while reading `initializationOptions`, shown once the client is ready.
    startup_warnings: Mutex<Vec<String>>,
}

struct Versioned {
    generation: u64,
    settings: Settings,
    config: AnalysisConfig,
}

impl Session {
    pub fn new(client: Client) -> Self {
        let settings = Settings::default();
        Session {
            client,
            documents: DocumentStore::default(),
            scheduler: Scheduler::default(),
            settings: RwLock::new(Versioned { generation: 0, config: settings.analysis_config(), settings }),
            encoding: OnceLock::new(),
            shutdown_requested: AtomicBool::new(false),
            startup_warnings: Mutex::new(Vec::new()),
        }
    }

    /// The negotiated encoding (UTF-16, LSP's default, until `initialize` says otherwise).
    pub fn encoding(&self) -> PositionEncoding {
        self.encoding.get().copied().unwrap_or(PositionEncoding::Utf16)
    }

    pub fn set_encoding(&self, encoding: PositionEncoding) {
        let _ = self.encoding.set(encoding);
    }

    /// The analysis configuration in force and its generation.
    pub fn config(&self) -> (u64, AnalysisConfig) {
        let s = self.settings.read().unwrap_or_else(|p| p.into_inner());
        (s.generation, s.config.clone())
    }

    pub fn generation(&self) -> u64 {
        self.settings.read().unwrap_or_else(|p| p.into_inner()).generation
    }

    /// Replaces the settings; returns whether anything changed.
    pub fn set_settings(&self, settings: Settings) -> bool {
        let mut s = self.settings.write().unwrap_or_else(|p| p.into_inner());
        if s.settings == settings {
            return false;
        }
        s.generation += 1;
        s.config = settings.analysis_config();
        s.settings = settings;
        true
    }

    pub fn request_shutdown(&self) {
        self.shutdown_requested.store(true, Ordering::SeqCst);
    }

    pub fn shutdown_requested(&self) -> bool {
        self.shutdown_requested.load(Ordering::SeqCst)
    }

    pub fn push_startup_warnings(&self, warnings: Vec<String>) {
        self.startup_warnings.lock().unwrap_or_else(|p| p.into_inner()).extend(warnings);
    }

    pub fn take_startup_warnings(&self) -> Vec<String> {
        std::mem::take(&mut *self.startup_warnings.lock().unwrap_or_else(|p| p.into_inner()))
    }
}
