//! Evaluation of predicted causes against labels: per-cause precision,
//! recall, F1 and support, accuracy, macro-F1 and the confusion matrix.

use serde::Serialize;

use crate::domain::Cause;

/// Scores of one cause.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CauseScore {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: u64,
}

/// The result of an evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// confusion[actual][predicted], in `Cause::ALL` order.
    pub confusion: [[u64; 5]; 5],
}

impl Evaluation {
    pub fn new() -> Evaluation {
        Evaluation {
            confusion: [[0; 5]; 5],
        }
    }

    pub fn add(&mut self, actual: Cause, predicted: Cause) {
        self.confusion[actual as usize][predicted as usize] += 1;
    }

    pub fn total(&self) -> u64 {
        self.confusion.iter().flatten().sum()
    }

    pub fn accuracy(&self) -> f64 {
        let right: u64 = (0..5).map(|i| self.confusion[i][i]).sum();
        ratio(right, self.total())
    }

    pub fn score(&self, cause: Cause) -> CauseScore {
        let i = cause as usize;
        let tp = self.confusion[i][i];
        let predicted: u64 = (0..5).map(|a| self.confusion[a][i]).sum();
        let support: u64 = self.confusion[i].iter().sum();
        let precision = ratio(tp, predicted);
        let recall = ratio(tp, support);
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        CauseScore {
            precision,
            recall,
            f1,
            support,
        }
    }

    /// Mean F1 over the causes that occur in the labels or the predictions
    /// (as scikit-learn counts it): a cause predicted but never labelled
    /// has F1 0 and lowers the mean; one in neither is left out.
    pub fn macro_f1(&self) -> f64 {
        let predicted = |c: Cause| {
            Cause::ALL
                .iter()
                .any(|a| self.confusion[*a as usize][c as usize] > 0)
        };
        let present: Vec<f64> = Cause::ALL
            .iter()
            .filter(|c| self.score(**c).support > 0 || predicted(**c))
            .map(|c| self.score(*c).f1)
            .collect();
        if present.is_empty() {
            0.0
        } else {
            present.iter().sum::<f64>() / present.len() as f64
        }
    }
}

impl Default for Evaluation {
    fn default() -> Self {
        Evaluation::new()
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_metrics() {
        let mut e = Evaluation::new();
        // attitude: 2 right, 1 predicted as response; response: 1 right; one response predicted attitude.
        e.add(Cause::Attitude, Cause::Attitude);
        e.add(Cause::Attitude, Cause::Attitude);
        e.add(Cause::Attitude, Cause::Response);
        e.add(Cause::Response, Cause::Response);
        e.add(Cause::Response, Cause::Attitude);
        assert_eq!(e.total(), 5);
        assert!((e.accuracy() - 0.6).abs() < 1e-9);
        let a = e.score(Cause::Attitude);
        assert!((a.precision - 2.0 / 3.0).abs() < 1e-9);
        assert!((a.recall - 2.0 / 3.0).abs() < 1e-9);
        let r = e.score(Cause::Response);
        assert!((r.precision - 0.5).abs() < 1e-9 && (r.recall - 0.5).abs() < 1e-9);
        assert!((e.macro_f1() - (2.0 / 3.0 + 0.5) / 2.0).abs() < 1e-9);
    }

    #[test]
    fn a_cause_predicted_but_never_labelled_counts_in_macro_f1() {
        let mut e = Evaluation::new();
        e.add(Cause::Attitude, Cause::Attitude);
        e.add(Cause::Attitude, Cause::Response);
        // attitude F1 2/3; response F1 0 (predicted once, never labelled);
        // the three causes in neither are left out.
        assert!((e.macro_f1() - (2.0 / 3.0) / 2.0).abs() < 1e-9);
    }
}
