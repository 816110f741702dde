;;; pyxray.el --- pyxray, what CPython really does with your code, in eglot and lsp-mode  -*- lexical-binding: t; -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "27.1"))
;; URL: https://github.com/pyxray/pyxray
;; SPDX-License-Identifier: MIT

;;; Commentary:

;; Registers the pyxray language server with eglot (`eglot-server-programs', for python-mode) and
;; with lsp-mode (an add-on client, so it runs next to pylsp or pyright), and adds
;; `M-x pyxray-disassemble': the `dis' listing of the function under point in another window,
;; refreshed shortly after each edit, and `M-x pyxray-status': which CPython version pyxray uses
;; for the buffer and where that version came from (a .venv, .python-version, pyproject.toml, the
;; setting or the default).  Readable messages when the server is missing or crashes.
;;
;;   (require 'pyxray)            ; then M-x eglot, or M-x lsp, in a Python buffer

;;; Code:

(require 'cl-lib)
(require 'subr-x)

(defgroup pyxray nil
  "pyxray: bytecode listings, identity predictions and closure insights for Python."
  :group 'tools
  :prefix "pyxray-")

(defcustom pyxray-server-path nil
  "The pyxray executable; nil looks for `pyxray' on `exec-path'."
  :type '(choice (const :tag "pyxray on exec-path" nil) file))

(defcustom pyxray-python-version "auto"
  "The CPython version whose bytecode pyxray reproduces.
\"auto\" reads it per file from the nearest .venv/venv pyvenv.cfg, else
.python-version, else requires-python in pyproject.toml (nothing found there
is run); otherwise 3.13."
  :type '(choice (const "auto") (const "3.11") (const "3.12") (const "3.13") (const "3.14") string))

(defcustom pyxray-detect-from-path nil
  "With \"auto\", whether to ask the python3 on the server's PATH.
That is when no project file names a version.  Off by default, because it
runs that interpreter (never one inside the workspace)."
  :type 'boolean)

(defcustom pyxray-diagnostics nil
  "Diagnostics to switch on or off, as an alist of (NAME . BOOLEAN).
For example ((\"is-literal\" . nil))."
  :type '(alist :key-type string :value-type boolean))

(defcustom pyxray-register-with-eglot t
  "Whether loading pyxray puts it first in `eglot-server-programs' for Python.
eglot runs one server per buffer, so pyxray then replaces pylsp there;
lsp-mode runs both."
  :type 'boolean)

(defconst pyxray-readme-url "https://github.com/pyxray/pyxray#editors")

(defconst pyxray--refresh-delay 0.25
  "Seconds after the last edit before an open listing is refreshed.")

(defun pyxray--server-path ()
  "The server executable, or nil."
  (if (and pyxray-server-path (not (string-empty-p pyxray-server-path)))
      (and (file-executable-p pyxray-server-path) (not (file-directory-p pyxray-server-path))
           pyxray-server-path)
    (executable-find "pyxray")))

(defun pyxray--missing-message ()
  "Why there is no server, in words a user can act on."
  (if (and pyxray-server-path (not (string-empty-p pyxray-server-path)))
      (format "pyxray: `pyxray-server-path' is %S, which is not an executable file; see %s"
              pyxray-server-path pyxray-readme-url)
    (format "pyxray: no `pyxray' executable on exec-path; install it or set `pyxray-server-path'; see %s"
            pyxray-readme-url)))

(defun pyxray--broken-server (path)
  "Why PATH is not a pyxray that starts (`PATH --version' fails), or nil."
  (with-temp-buffer
    (let ((code (condition-case err (call-process path nil t nil "--version")
                  (error (error-message-string err))))
          (said (string-trim (buffer-string))))
      (cond ((stringp code) (format "`%s --version' could not run: %s" path code))
            ((not (eql code 0)) (format "`%s --version' failed (exit code %s): %s" path code said))
            ((not (string-prefix-p "pyxray" said))
             (format "`%s --version' printed %S, so it is not pyxray" path said))))))

(defun pyxray--problem ()
  "Why the server cannot be started, or nil."
  (let ((path (pyxray--server-path)))
    (cond ((not path) (pyxray--missing-message))
          ((pyxray--broken-server path)
           (format "pyxray: the server does not work: %s; see %s" (pyxray--broken-server path) pyxray-readme-url)))))

(defun pyxray--checked-server-path ()
  "The server executable, or a `user-error' saying why it cannot be used."
  (when-let ((problem (pyxray--problem))) (user-error "%s" problem))
  (pyxray--server-path))

(defun pyxray--settings ()
  "The settings the server reads, as a plist.
Both eglot's and lsp-mode's JSON encoders accept it."
  (let ((switches (cl-loop for (name . on) in pyxray-diagnostics
                           append (list (intern (concat ":" name)) (if on t :json-false)))))
    (list :pyxray (append (list :pythonVersion pyxray-python-version
                                :detectFromPath (if pyxray-detect-from-path t :json-false))
                          (when switches (list :diagnostics switches))))))

(defun pyxray--report-exit (process _event)
  "Say so when the server PROCESS ended other than by a normal shutdown."
  (when (and (memq (process-status process) '(exit signal))
             (not (and (eq (process-status process) 'exit) (zerop (process-exit-status process)))))
    (message "pyxray: the server stopped unexpectedly (%s %d); see the events buffer, and please report it"
             (if (eq (process-status process) 'exit) "exit code" "signal")
             (process-exit-status process))))

;;;; eglot

(defvar eglot-server-programs)
(declare-function eglot-current-server "eglot")
(declare-function eglot--pos-to-lsp-position "eglot")
(declare-function eglot--TextDocumentIdentifier "eglot")
(declare-function eglot--signal-textDocument/didChange "eglot")
(declare-function jsonrpc-async-request "jsonrpc")
(declare-function jsonrpc-notify "jsonrpc")

(defun pyxray-eglot-contact (&optional _interactive)
  "The eglot contact for pyxray: the server command and its settings."
  (list (pyxray--checked-server-path) "server" :initializationOptions (pyxray--settings)))

(with-eval-after-load 'eglot
  (when pyxray-register-with-eglot
    (add-to-list 'eglot-server-programs '((python-mode python-ts-mode) . pyxray-eglot-contact)))
  (add-hook 'eglot-server-initialized-hook
            (lambda (server)
              (when-let ((process (and (fboundp 'jsonrpc--process) (jsonrpc--process server))))
                (add-function :after (process-sentinel process) #'pyxray--report-exit)))))

;;;; lsp-mode

(declare-function lsp-register-client "lsp-mode")
(declare-function make-lsp-client "lsp-mode")
(declare-function lsp-stdio-connection "lsp-mode")
(declare-function lsp-activate-on "lsp-mode")
(declare-function lsp-workspaces "lsp-mode")
(declare-function lsp--workspace-client "lsp-mode")
(declare-function lsp--client-server-id "lsp-mode")
(declare-function lsp--cur-position "lsp-mode")
(declare-function lsp-request-async "lsp-mode")
(declare-function lsp-notify "lsp-mode")
(declare-function lsp--buffer-uri "lsp-mode")
(declare-function lsp--workspace-proc "lsp-mode")
(defvar lsp--cur-workspace)

(defun pyxray--lsp-server-present-p ()
  "lsp-mode's test for the server: usable, or a warning that says why not."
  (let ((problem (pyxray--problem)))
    (when problem (display-warning 'pyxray problem :error))
    (not problem)))

(with-eval-after-load 'lsp-mode
  (lsp-register-client
   (make-lsp-client
    :new-connection (lsp-stdio-connection (lambda () (list (pyxray--checked-server-path) "server"))
                                          #'pyxray--lsp-server-present-p)
    :activation-fn (lsp-activate-on "python")
    :server-id 'pyxray
    :add-on? t
    :priority -2
    :initialization-options #'pyxray--settings
    :initialized-fn (lambda (workspace)
                      (add-function :after (process-sentinel (lsp--workspace-proc workspace))
                                    #'pyxray--report-exit)))))

;;;; pyxray-disassemble

(defvar-local pyxray--listing nil
  "In a source buffer: (BUFFER . QUALNAME) of its open listing.")
(defvar-local pyxray--refresh-timer nil)

(defun pyxray--get (object key)
  "KEY of a JSON OBJECT decoded by eglot (plist) or lsp-mode (hash table or plist)."
  (let ((value (if (hash-table-p object) (gethash key object) (plist-get object (intern (concat ":" key))))))
    (unless (memq value '(:json-null :null)) value)))

(defun pyxray--lsp-workspace ()
  "The lsp-mode workspace of the pyxray server for this buffer, or nil."
  (and (bound-and-true-p lsp-mode)
       (cl-find-if (lambda (w) (eq (lsp--client-server-id (lsp--workspace-client w)) 'pyxray))
                   (lsp-workspaces))))

(defun pyxray--send (method params on-result)
  "Send the request METHOD (a string) with PARAMS (a plist without textDocument).
ON-RESULT is called with the answer in the current buffer."
  (let ((source (current-buffer))
        (on-error (lambda (e) (message "pyxray: %s failed: %s" method (pyxray--get e "message")))))
    (cond
     ((and (bound-and-true-p eglot--managed-mode) (fboundp 'eglot-current-server) (eglot-current-server))
      ;; eglot sends edits on an idle timer: send them now, so the answer describes this text.
      (eglot--signal-textDocument/didChange)
      (jsonrpc-async-request (eglot-current-server) (intern (concat ":" method))
                             (append (list :textDocument (eglot--TextDocumentIdentifier)) params)
                             :success-fn (lambda (result) (with-current-buffer source (funcall on-result result)))
                             :error-fn on-error))
     ((pyxray--lsp-workspace)
      (let ((lsp--cur-workspace (pyxray--lsp-workspace)))
        (lsp-request-async method
                           (append (list :textDocument (list :uri (lsp--buffer-uri))) params)
                           (lambda (result) (with-current-buffer source (funcall on-result result)))
                           :error-handler on-error)))
     (t (user-error "pyxray: no pyxray server manages this buffer (start it with M-x eglot or M-x lsp); see %s"
                    pyxray-readme-url)))))

(defun pyxray--request (params on-result)
  "Send pyxray/disassemble with PARAMS (a plist without textDocument).
ON-RESULT is called with the answer in the current buffer."
  (pyxray--send "pyxray/disassemble" params on-result))

(defun pyxray--notify-configuration ()
  "Send the settings again, which makes the server read the version files again."
  (let ((params (list :settings (pyxray--settings))))
    (cond
     ((and (bound-and-true-p eglot--managed-mode) (fboundp 'eglot-current-server) (eglot-current-server))
      (jsonrpc-notify (eglot-current-server) :workspace/didChangeConfiguration params))
     ((pyxray--lsp-workspace)
      (let ((lsp--cur-workspace (pyxray--lsp-workspace)))
        (lsp-notify "workspace/didChangeConfiguration" params))))))

;;;###autoload
(defun pyxray-status ()
  "Show which CPython version pyxray uses for this buffer, and where it came from.
The server reads the project's version files (.venv/pyvenv.cfg, .python-version,
pyproject.toml) again first, so an edit to one of them is seen."
  (interactive)
  (pyxray--notify-configuration)
  (pyxray--send "pyxray/status" nil
                (lambda (result)
                  (message "pyxray: %s" (pyxray--get result "summary")))))

(defun pyxray--render (result)
  "The text of a listing buffer for the pyxray/disassemble RESULT."
  (concat (format "# %s · %s · CPython %s · document version %s\n"
                  (pyxray--get result "qualname") (file-name-nondirectory (or buffer-file-name (buffer-name)))
                  (pyxray--get result "pythonVersion") (pyxray--get result "version"))
          (if-let ((note (pyxray--get result "note"))) (format "# %s\n" note) "")
          "\n"
          (let ((listing (pyxray--get result "listing")))
            (if (string-empty-p listing) "(no bytecode)\n" listing))))

(defun pyxray--show (buffer result)
  "Put the listing RESULT into BUFFER."
  (when (buffer-live-p buffer)
    (let ((text (pyxray--render result)))
      (with-current-buffer buffer
        (let ((inhibit-read-only t) (point (point)))
          (erase-buffer)
          (insert text)
          (goto-char (min point (point-max))))))))

(defun pyxray--refresh ()
  "Refresh the listing of the current source buffer."
  (setq pyxray--refresh-timer nil)
  (pcase-let ((`(,buffer . ,qualname) pyxray--listing))
    (if (not (buffer-live-p buffer))
        (setq pyxray--listing nil)
      (pyxray--request (unless (equal qualname "<module>") (list :qualname qualname))
                       (lambda (result) (pyxray--show buffer result))))))

(defun pyxray--after-change (&rest _)
  "Schedule a refresh of the listing shortly after the last of a burst of edits."
  (when pyxray--listing
    (when pyxray--refresh-timer (cancel-timer pyxray--refresh-timer))
    (let ((source (current-buffer)))
      (setq pyxray--refresh-timer
            (run-with-timer pyxray--refresh-delay nil
                            (lambda () (when (buffer-live-p source)
                                         (with-current-buffer source (pyxray--refresh)))))))))

(define-derived-mode pyxray-dis-mode special-mode "pyxray-dis"
  "A read-only `dis' listing from pyxray.")

;;;###autoload
(defun pyxray-disassemble ()
  "Show the bytecode of the function, class, lambda or comprehension at point.
Outside any, show the whole file's.  The listing opens in another
window and follows edits of this buffer."
  (interactive)
  (let ((position (if (bound-and-true-p eglot--managed-mode) (eglot--pos-to-lsp-position) (lsp--cur-position)))
        (source (current-buffer)))
    (pyxray--request
     (list :position position)
     (lambda (result)
       (let ((buffer (get-buffer-create (format "*pyxray-dis: %s*" (buffer-name source)))))
         (with-current-buffer buffer (unless (derived-mode-p 'pyxray-dis-mode) (pyxray-dis-mode)))
         (pyxray--show buffer result)
         (setq pyxray--listing (cons buffer (pyxray--get result "qualname")))
         (add-hook 'after-change-functions #'pyxray--after-change nil t)
         (display-buffer buffer '(display-buffer-use-some-window (inhibit-same-window . t))))))))

(provide 'pyxray)
;;; pyxray.el ends here
